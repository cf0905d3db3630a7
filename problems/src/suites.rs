//! Named problem lists shared by tests, benchmarks and the harness.

/// The 41 CUTEst problems of the sketched-Newton paper (Hong, Na, Mahoney and Kolar,
/// ICML 2023) present in the collection, by SIF file stem (BA-L1SP is `BAmL1SP`).
pub const CUTEST_PAPER: &[&str] = &[
    "HS6",
    "BT5",
    "BT9",
    "HS28",
    "BT10",
    "HIMMELBA",
    "BT12",
    "HS40",
    "BT3",
    "BT6",
    "BT11",
    "HS7",
    "GENHS28",
    "HS51",
    "BOOTH",
    "HS52",
    "HS47",
    "WAYSEA1NE",
    "HS48",
    "HS50",
    "RSNBRNE",
    "CUBENE",
    "HS77",
    "MWRIGHT",
    "ZANGWIL3",
    "BAmL1SP",
    "HS78",
    "HS56",
    "HELIXNE",
    "HS42",
    "HS79",
    "ORTHREGB",
    "HS100LNP",
    "GOTTFR",
    "WAYSEA2NE",
    "DENSCHNFNE",
    "HIMMELBC",
    "PRICE4NE",
    "INTEQNE",
    "MANCINONE",
    "BT2",
];

/// The LIBSVM data sets of the paper's constrained logistic regression experiments.
pub const LOGREG_PAPER: &[&str] = &[
    "ionosphere_scale",
    "mushrooms",
    "phishing",
    "sonar_scale",
    "splice_scale",
    "a9a",
    "w8a",
];

/// The last `*LO SOLTN` value of a SIF file's text (the known optimal objective, where the
/// file records one).
pub fn sif_reference_objective(text: &str) -> Option<f64> {
    text.lines()
        .filter_map(|l| l.trim_start().strip_prefix("*LO SOLTN"))
        .filter_map(|rest| rest.split_whitespace().next()?.parse::<f64>().ok())
        .next_back()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_list_has_41_distinct_names() {
        let mut v = CUTEST_PAPER.to_vec();
        v.sort_unstable();
        v.dedup();
        assert_eq!(v.len(), 41);
    }

    #[test]
    fn reference_objective_takes_the_last_soltn_line() {
        let text = "*LO SOLTN               1.0\n* comment\n*LO SOLTN   -2.5E+01\n";
        assert_eq!(sif_reference_objective(text), Some(-25.0));
        assert_eq!(sif_reference_objective("no solution here"), None);
    }
}
