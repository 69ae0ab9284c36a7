//! The checked-in JSON Schema of the rules file is generated from the spec types.
//! Regenerate it with `LIFELINE_BLESS=1 cargo test -p lifeline-shared --test schema`.

#![cfg(not(target_arch = "wasm32"))]

use lifeline_shared::Rules;

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/rules.schema.json");

#[test]
fn checked_in_schema_matches_the_rule_types() {
    let generated = Rules::json_schema();
    if std::env::var_os("LIFELINE_BLESS").is_some() {
        std::fs::write(PATH, &generated).expect("write rules.schema.json");
        return;
    }
    let checked_in = std::fs::read_to_string(PATH).unwrap_or_default();
    assert!(
        checked_in == generated,
        "shared/rules.schema.json is stale: regenerate it with \
         `LIFELINE_BLESS=1 cargo test -p lifeline-shared --test schema`"
    );
}
