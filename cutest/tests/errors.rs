//! Errors name the file, the line and the offending field; malformed input never panics.

use opal_cutest::{SifError, load_str};
use opal_problems::SmoothProblem;

/// HS6 as a SIF file: the template the tests break in one place at a time (line numbers
/// in the expected messages refer to it).
const HS6: &str = include_str!("data/HS6.SIF");

fn err(text: &str) -> String {
    match load_str(text, "bad.SIF", &[]) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_template_is_valid() {
    let p = load_str(HS6, "HS6.SIF", &[]).unwrap();
    assert_eq!(p.info().name, "HS6");
    assert!((p.objective(&[-1.2, 1.0]).unwrap() - 4.84).abs() < 1e-12);
}

#[test]
fn unknown_names_point_at_line_and_field() {
    let e = err(&HS6.replace(" E  G2        X2        1.0", " E  G2        X9        1.0"));
    assert_eq!(e, "bad.SIF:7: field 3 ('X9'): unknown variable 'X9'");
    let e = err(&HS6.replace(" E  G2        E1", " E  G2        E7"));
    assert_eq!(e, "bad.SIF:25: field 3 ('E7'): unknown element 'E7'");
    let e = err(&HS6.replace(" T  E1        SQ", " T  E1        CUBE"));
    assert_eq!(
        e,
        "bad.SIF:19: field 3 ('CUBE'): unknown element type 'CUBE'"
    );
}

#[test]
fn bad_numbers_and_codes_point_at_their_field() {
    let e = err(&HS6.replace(
        "    HS6       X1        -1.2",
        "    HS6       X1        -1.2.3",
    ));
    assert_eq!(e, "bad.SIF:14: field 4 ('-1.2.3'): not a number");
    let e = err(&HS6.replace(" FR HS6", " QQ HS6"));
    assert!(e.starts_with("bad.SIF:12: field 1 ('QQ'): "), "{e}");
}

#[test]
fn expression_errors_point_at_the_expression() {
    let e = err(&HS6.replace("-2.0 * V1", "-2.0 * W1"));
    assert_eq!(
        e,
        "bad.SIF:31: field 7 (expression) ('-2.0 * W1'): undefined name W1"
    );
    let e = err(&HS6.replace("GVAR*GVAR", "GVAR*(GVAR"));
    assert!(
        e.starts_with("bad.SIF:37: field 7 (expression) ('GVAR*(GVAR'): "),
        "{e}"
    );
    let e = err(&HS6.replace("GVAR*GVAR", "BESSEL(GVAR)"));
    assert!(e.contains("unknown function BESSEL"), "{e}");
}

#[test]
fn structural_errors_name_the_file() {
    let e = err(&HS6.replace(" V  E1        V1                       X1\n", ""));
    assert_eq!(e, "bad.SIF: element E1 (line 19) has no variable for V1");
    let e = err(&HS6.replace(" T  SQ\n", " T  NOTSQ\n"));
    assert!(e.contains("element type SQ has no definition"), "{e}");
    let e = err("VARIABLES\n    X1\nENDATA\n");
    assert!(e.starts_with("bad.SIF:1: "), "{e}");
    let e = err(&HS6[..HS6.find("ENDATA").unwrap()]);
    assert!(e.contains("ENDATA"), "{e}");
    match load_str(&HS6.replace("FOO", ""), "x", &[("N".into(), "3".into())]) {
        Err(SifError::Parameter { name, .. }) => assert_eq!(name, "N"),
        other => panic!("{other:?}"),
    }
    let e = opal_cutest::load("/no/such/dir/X.SIF", &[])
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("/no/such/dir/X.SIF: "), "{e}");
}

#[test]
fn runaway_loops_are_stopped() {
    let text = HS6.replace(
        "VARIABLES\n",
        "VARIABLES\n IE 1                   1\n IE BIG                 2000000000\n DO I         1                        BIG\n X  Y(I)\n ND\n",
    );
    let opts = opal_cutest::Options { max_cards: 10_000 };
    let e = opal_cutest::decode(&text, "loop.SIF", &[], &opts)
        .unwrap_err()
        .to_string();
    assert!(e.contains("more than 10000 cards"), "{e}");
}

/// A small deterministic generator (no dependency needed for this).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[test]
fn mangled_input_gives_errors_not_panics() {
    let opts = opal_cutest::Options { max_cards: 100_000 };
    let lines: Vec<&str> = HS6.lines().collect();
    // every truncation
    for k in 0..lines.len() {
        let text = lines[..k].join("\n");
        let _ = opal_cutest::decode(&text, "t.SIF", &[], &opts);
    }
    // byte flips, deletions and duplicated lines
    let mut rng = Lcg(42);
    let alphabet = b" ()*+-./0123456789=ADEFGHILMNOPRSTVXZ$'\n_;";
    for _ in 0..3000 {
        let mut bytes = HS6.as_bytes().to_vec();
        for _ in 0..1 + rng.next() % 4 {
            let i = (rng.next() as usize) % bytes.len();
            match rng.next() % 3 {
                0 => bytes[i] = alphabet[(rng.next() as usize) % alphabet.len()],
                1 => {
                    bytes.remove(i);
                }
                _ => {
                    let j = (i + (rng.next() as usize) % 60).min(bytes.len());
                    let chunk = bytes[i..j].to_vec();
                    bytes.splice(i..i, chunk);
                }
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(p) = opal_cutest::decode(&text, "m.SIF", &[], &opts) {
            // whatever decodes must evaluate without panicking
            let info = p.info().clone();
            let mut g = vec![0.0; info.n()];
            let _ = p.objective_and_gradient(&info.x0, &mut g);
            let mut c = vec![0.0; info.m()];
            let _ = p.constraints(&info.x0, &mut c);
            let mut hv = vec![0.0; info.n()];
            let _ = p.hessian_vector(&info.x0, 1.0, &vec![1.0; info.m()], &info.x0, &mut hv);
            let mut h = vec![0.0; p.hessian_pattern().nnz()];
            let _ = p.hessian_values(&info.x0, 1.0, &vec![1.0; info.m()], &mut h);
        }
    }
}
