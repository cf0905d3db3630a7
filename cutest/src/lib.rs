//! SIF decoder and evaluator for the CUTEst collection (in progress: see the SIF issue).
