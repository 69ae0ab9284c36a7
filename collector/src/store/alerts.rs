//! Alerts: a visitor in difficulty the rules say is worth a person now. Each carries only
//! what reports carry (rule, page, band, signals, decision value, the tier the shop signed)
//! and is routed to one
//! member of staff online: for a valuable visitor (decision value at least
//! [`SENIOR_VALUE`]) owners first, else agents first; the least busy first; then by name.
//! Not acknowledged within its window, it goes to the next (escalation); with nobody left,
//! it expires. Every step is recorded.

use serde::{Deserialize, Serialize};

use super::staff::{Role, StaffMember, Status};

/// A decision value (percent) from which owners are asked first.
pub const SENIOR_VALUE: u8 = 70;

/// An alert to raise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAlert {
    /// The decision's report key (an alert is raised once per decision).
    pub key: String,
    /// The visit.
    pub session: String,
    /// The page path.
    pub page: String,
    /// The rule.
    pub rule: String,
    /// The band.
    pub band: String,
    /// The signals, space-separated.
    pub signals: String,
    /// The decision value, percent.
    pub value: u8,
    /// Time to acknowledge, ms.
    pub window_ms: u64,
    /// The conversation staff may join for it.
    pub conversation: Option<String>,
    /// The visitor's tier, as the shop signed it (`lifeline.identify`), when it was valid.
    pub tier: Option<String>,
}

/// Where an alert stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    /// Waiting for its member of staff (or for anyone, when nobody was online).
    Open,
    /// Taken up.
    Acknowledged,
    /// Nobody took it up in time.
    Expired,
}

/// An alert as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    /// Its id.
    pub id: i64,
    /// The visit.
    pub session: String,
    /// When raised, ms since the epoch.
    pub created: u64,
    /// The page path.
    pub page: String,
    /// The rule.
    pub rule: String,
    /// The band.
    pub band: String,
    /// The signals.
    pub signals: Vec<String>,
    /// The decision value, percent.
    pub value: u8,
    /// Who it is with now.
    pub assigned: Option<String>,
    /// Times it went to the next member of staff.
    pub escalations: u32,
    /// Where it stands.
    pub state: AlertState,
    /// Who acknowledged it.
    pub acked_by: Option<String>,
    /// When it was acknowledged or expired.
    pub closed: Option<u64>,
    /// The conversation staff may join for it (opened with the visitor's page).
    pub conversation: Option<String>,
    /// The visitor's tier as the shop signed it, when valid (nothing else of the signed
    /// attributes is kept).
    pub tier: Option<String>,
}

/// Who gets an alert of `value` next: online, not `tried` yet; owners first for a valuable
/// visitor, agents first otherwise; the fewest open alerts first; then by name.
pub fn route<'a>(staff: &'a [(StaffMember, u32)], value: u8, tried: &[&str]) -> Option<&'a str> {
    let senior_first = value >= SENIOR_VALUE;
    staff
        .iter()
        .filter(|(m, _)| m.status == Status::Online && !tried.contains(&m.name.as_str()))
        .min_by_key(|(m, open)| {
            let rank = match (m.role, senior_first) {
                (Role::Owner, true) | (Role::Agent, false) => 0,
                _ => 1,
            };
            (rank, *open, m.name.clone())
        })
        .map(|(m, _)| m.name.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(name: &str, role: Role, status: Status) -> StaffMember {
        StaffMember {
            name: name.into(),
            role,
            status,
            seen: Some(0),
        }
    }

    #[test]
    fn valuable_visitors_go_to_owners_first_others_to_agents_the_least_busy_first() {
        let staff = vec![
            (member("ana", Role::Agent, Status::Online), 2),
            (member("bo", Role::Agent, Status::Online), 0),
            (member("cy", Role::Owner, Status::Online), 5),
            (member("di", Role::Owner, Status::Busy), 0),
            (member("ed", Role::Agent, Status::Offline), 0),
        ];
        assert_eq!(route(&staff, 90, &[]), Some("cy"), "senior first");
        assert_eq!(route(&staff, 40, &[]), Some("bo"), "the least busy agent");
        assert_eq!(route(&staff, 40, &["bo"]), Some("ana"));
        assert_eq!(
            route(&staff, 40, &["bo", "ana"]),
            Some("cy"),
            "then anyone online"
        );
        assert_eq!(
            route(&staff, 40, &["bo", "ana", "cy"]),
            None,
            "busy and offline never"
        );
    }
}
