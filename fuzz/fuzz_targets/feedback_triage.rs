#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| lifeline_fuzz::feedback_triage(data));
