//! What the agent's native tests share: a shop's config, an agent over a memory host with
//! rules, and rage clicks.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use lifeline_agent::{Agent, Config, MemoryHost};
use lifeline_shared::rules::spec::Device;
use lifeline_shared::{Click, ClickFlags, Event, Rules, SignalSet};

/// Site `shop`, a British visitor on a desktop.
pub fn config() -> Config {
    Config {
        site: "shop".into(),
        language: "en-GB".into(),
        gpc: false,
        device: Device::Desktop,
    }
}

/// An agent over `host` running `rules`.
pub fn agent_with(host: MemoryHost, rules: &str) -> Agent<MemoryHost> {
    let mut agent = Agent::new(host, config());
    agent.rules_loaded(Rules::from_json_str(rules));
    agent
}

/// Three quick clicks on one spot of a button.
pub fn rage(agent: &mut Agent<MemoryHost>) {
    for _ in 0..3 {
        agent.host_mut().now += 100;
        agent.observe(&Event::Click(Click {
            key: 7,
            x: 5,
            y: 5,
            flags: ClickFlags::BUTTON,
            ignore: SignalSet::EMPTY,
        }));
    }
}
