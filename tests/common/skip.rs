//! Tests that need a tool beyond Rust (Chromium, PostgreSQL's server programs) skip themselves
//! where it is missing, so that `cargo test --workspace` passes on a machine with nothing but
//! Rust, and say so in one line. CI sets `KIV_REQUIRE_ALL_TESTS=1`, which turns every such skip
//! into a failure: there, nothing may be left unchecked.

/// The variable that forbids skipping (CI sets it to `1`).
pub const REQUIRE_ALL_TESTS: &str = "KIV_REQUIRE_ALL_TESTS";

/// Notes that `test` cannot run because `missing` is not there, or fails when skips are forbidden.
pub fn skip_for_missing(test: &str, missing: &str) {
    assert!(
        !std::env::var(REQUIRE_ALL_TESTS).is_ok_and(|value| value == "1"),
        "{test} needs {missing}, and {REQUIRE_ALL_TESTS}=1 forbids skipping it"
    );
    eprintln!("skipped {test}: it needs {missing} ({REQUIRE_ALL_TESTS}=1 makes this a failure)");
}
