//! The shop's staff: accounts under a site (a name, a role, a token shown once and kept
//! only as its hash) and their presence — online, busy or away while their dashboard's
//! heartbeat holds ([`PRESENCE_WINDOW_MS`]), offline after.

use serde::Serialize;

/// How long a heartbeat keeps a member of staff present.
pub const PRESENCE_WINDOW_MS: u64 = 60_000;

/// What a member of staff may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything an admin token may, and the staff's work.
    Owner,
    /// Alerts, conversations, presence.
    Agent,
}

impl Role {
    /// Its name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Agent => "agent",
        }
    }

    /// By name.
    pub fn from_name(name: &str) -> Option<Role> {
        [Role::Owner, Role::Agent]
            .into_iter()
            .find(|r| r.as_str() == name)
    }
}

/// Where a member of staff is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Available for alerts and conversations.
    Online,
    /// Present, but taking nothing new.
    Busy,
    /// Present, stepped away.
    Away,
    /// No heartbeat within the window.
    Offline,
}

impl Status {
    /// Its name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Online => "online",
            Status::Busy => "busy",
            Status::Away => "away",
            Status::Offline => "offline",
        }
    }

    /// A status a heartbeat may set, by name.
    pub fn from_name(name: &str) -> Option<Status> {
        [Status::Online, Status::Busy, Status::Away]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

/// A new account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStaff {
    /// A name unique in the site (`ana`, `night-shift`).
    pub name: String,
    /// What they may do.
    pub role: Role,
    /// SHA-256 of their token.
    pub token_hash: [u8; 32],
}

/// A member of staff as the dashboard shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffMember {
    /// Their name.
    pub name: String,
    /// What they may do.
    pub role: Role,
    /// Where they are now.
    pub status: Status,
    /// Their last heartbeat, ms since the epoch.
    pub seen: Option<u64>,
}

/// Presence at `now` from the last heartbeat's status and time.
pub fn presence(status: Option<Status>, seen: Option<u64>, now: u64) -> Status {
    match (status, seen) {
        (Some(s), Some(t)) if now.saturating_sub(t) <= PRESENCE_WINDOW_MS => s,
        _ => Status::Offline,
    }
}

/// Whether `name` may name a member of staff: 1 to 64 of `a-z 0-9 - _ .`.
pub fn name_ok(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && (name.bytes())
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presence_holds_for_the_window_then_is_offline() {
        let seen = Some(1_000_000);
        assert_eq!(presence(Some(Status::Busy), seen, 1_000_000), Status::Busy);
        assert_eq!(
            presence(Some(Status::Online), seen, 1_060_000),
            Status::Online
        );
        assert_eq!(
            presence(Some(Status::Online), seen, 1_060_001),
            Status::Offline
        );
        assert_eq!(presence(None, None, 0), Status::Offline);
    }

    #[test]
    fn names() {
        assert!(name_ok("ana") && name_ok("night-shift.2"));
        assert!(!name_ok("") && !name_ok("Ana") && !name_ok("a b") && !name_ok(&"a".repeat(65)));
    }
}
