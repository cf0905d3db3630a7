//! Readers and paper problems on the real data sets in `../shared/data`.

use opal_problems::SmoothProblem;
use opal_problems::check::check_derivatives;
use opal_problems::formats::libsvm::read_libsvm;
use opal_problems::registry::{Params, load_builtin};
use opal_problems::shared_data::require;

/// (label value, count).
type LabelCount = (f64, usize);

/// (file, samples, largest feature index, the two labels with their counts).
const LIBSVM: &[(&str, usize, usize, [LabelCount; 2])] = &[
    ("a9a", 32561, 123, [(-1.0, 24720), (1.0, 7841)]),
    ("a9a.t", 16281, 122, [(-1.0, 12435), (1.0, 3846)]),
    ("w8a", 49749, 300, [(-1.0, 48270), (1.0, 1479)]),
    ("w8a.t", 14951, 300, [(-1.0, 14497), (1.0, 454)]),
    ("mushrooms", 8124, 112, [(1.0, 3916), (2.0, 4208)]),
    ("phishing", 11055, 68, [(0.0, 4898), (1.0, 6157)]),
    ("ionosphere_scale", 351, 34, [(-1.0, 126), (1.0, 225)]),
    ("sonar_scale", 208, 60, [(-1.0, 111), (1.0, 97)]),
    ("splice_scale", 1000, 60, [(-1.0, 483), (1.0, 517)]),
    ("heart_scale", 270, 13, [(-1.0, 150), (1.0, 120)]),
    ("breast-cancer_scale", 683, 10, [(2.0, 444), (4.0, 239)]),
    ("australian_scale", 690, 14, [(-1.0, 383), (1.0, 307)]),
    ("diabetes_scale", 768, 8, [(-1.0, 268), (1.0, 500)]),
    ("german.numer_scale", 1000, 24, [(-1.0, 700), (1.0, 300)]),
];

#[test]
fn every_libsvm_file_has_the_documented_counts() {
    let Some(dir) = require("data/libsvm", "every_libsvm_file_has_the_documented_counts") else {
        return;
    };
    for &(name, samples, features, labels) in LIBSVM {
        let d = read_libsvm(&dir.join(name), None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(d.n_samples(), samples, "{name} samples");
        assert_eq!(d.n_features, features, "{name} features");
        let (y, map) = d.binary_labels().unwrap();
        assert_eq!(
            (map.negative, map.positive),
            (labels[0].0, labels[1].0),
            "{name} labels"
        );
        let pos = y.iter().filter(|&&v| v > 0.0).count();
        assert_eq!(
            (samples - pos, pos),
            (labels[0].1, labels[1].1),
            "{name} label counts"
        );
    }
    // a9a.t lines up with a9a when widened.
    assert_eq!(
        read_libsvm(&dir.join("a9a.t"), Some(123))
            .unwrap()
            .n_features,
        123
    );
    assert!(read_libsvm(&dir.join("a9a"), Some(100)).is_err());
}

#[test]
fn logreg_on_real_data_has_exact_derivatives() {
    let Some(dir) = require("data/libsvm", "logreg_on_real_data_has_exact_derivatives") else {
        return;
    };
    for name in [
        "ionosphere_scale",
        "sonar_scale",
        "mushrooms",
        "breast-cancer_scale",
    ] {
        let spec = format!("logreg:{}", dir.join(name).display());
        let p = load_builtin(&spec, Params::default()).unwrap();
        let info = p.info();
        assert_eq!(info.m(), 11);
        let x: Vec<f64> = (0..info.n())
            .map(|i| 0.1 * ((i as f64) * 0.7).cos())
            .collect();
        for point in [&info.x0, &x] {
            let r = check_derivatives(&p, point, info.y0.as_deref(), 3, 1).unwrap();
            assert!(r.max() <= 1e-6, "{name}: {r:?}");
        }
    }
}

#[test]
fn pde_derivatives_at_the_paper_size() {
    let p = load_builtin("pde:N=100", Params::default()).unwrap();
    assert_eq!((p.info().n(), p.info().m()), (20_000, 10_000));
    let x: Vec<f64> = (0..p.info().n())
        .map(|i| ((i as f64) * 0.013).sin())
        .collect();
    let r = check_derivatives(&p, &x, None, 2, 5).unwrap();
    assert!(r.max() <= 1e-6, "{r:?}");
}
