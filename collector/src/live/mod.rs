//! [`Broadcast`]: live events for a site's staff (decisions as visitors struggle, staff
//! coming and going), fanned out to every dashboard subscribed. One interface: this
//! collector's [`LocalBroadcast`] delivers within the process; a store shared by several
//! collectors plugs in one that carries the events between them.
//!
//! Events carry only what reports carry: rule, prompt, page path, band, signals. A
//! conversation's own events ([`ChatEvent`]: messages, typing, read marks) go to the
//! conversation's topic, to its visitor and the staff in it, never to the whole site.
//!
//! - [`postgres`]: [`postgres::PgBroadcast`], for collectors sharing one PostgreSQL
//!   database: events through a table, LISTEN/NOTIFY carrying only their ids.

pub mod postgres;

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// Events waiting for a slow subscriber before it misses some (and is told so).
pub const BACKLOG: usize = 256;
/// A conversation's events waiting for a slow socket (which then reads what it missed from
/// the store); small, as thousands of conversations may be open at once.
pub const CHAT_BACKLOG: usize = 16;

/// Something that happened on a site, for its staff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveEvent {
    /// A prompt was shown to a visitor (a visitor in difficulty, when the band is not none).
    Decision {
        /// The visit (the same for a visitor's decisions; a random id, never a person's).
        session: String,
        /// When the collector received it, ms since the epoch.
        at: u64,
        /// The page path.
        page: String,
        /// The rule.
        rule: String,
        /// The prompt.
        prompt: String,
        /// Its kind.
        kind: String,
        /// The difficulty band.
        band: String,
        /// The signals behind it.
        signals: Vec<String>,
    },
    /// An alert was raised, went to the next member of staff, was taken up or expired.
    Alert {
        /// Where it stands now.
        alert: crate::store::Alert,
    },
    /// A conversation opened, had a message, or closed (for staff's inbox).
    Chat {
        /// Where it stands now.
        conversation: crate::store::Conversation,
    },
    /// A member of staff's presence changed.
    Presence {
        /// Their name.
        staff: String,
        /// `online`, `busy`, `away` or `offline`.
        status: String,
    },
}

/// An event with its number in this collector's stream (the SSE `id`).
#[derive(Debug, Clone, PartialEq)]
pub struct Numbered {
    /// Rises by one for each event published.
    pub id: u64,
    /// The event.
    pub event: LiveEvent,
}

/// Something that happened in a conversation, for everyone in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChatEvent {
    /// A message (a card taken up comes again, with `accepted`).
    Message {
        /// The message as stored.
        message: Box<crate::store::Message>,
    },
    /// One side is typing.
    Typing {
        /// Who.
        from: crate::store::Side,
    },
    /// One side has read up to a message.
    Read {
        /// Who.
        by: crate::store::Side,
        /// The last message read.
        upto: i64,
    },
    /// The conversation was closed.
    Closed,
}

/// Live events by site, and by conversation.
pub trait Broadcast: Send + Sync + 'static {
    /// Delivers `event` to every subscriber of `site` (none: nothing happens).
    fn publish(&self, site: &str, event: LiveEvent);
    /// Events of `site` from now on.
    fn subscribe(&self, site: &str) -> broadcast::Receiver<Numbered>;
    /// Whether anyone may be listening to `site` (publishers skip building events when not).
    fn listening(&self, site: &str) -> bool;
    /// Delivers `event` to everyone in `conversation` (an id unique across sites).
    fn publish_chat(&self, conversation: &str, event: ChatEvent);
    /// Events of `conversation` from now on.
    fn subscribe_chat(&self, conversation: &str) -> broadcast::Receiver<ChatEvent>;
    /// Tells the other collectors sharing the database that `site`'s row or rules changed
    /// (they forget what they cached of it). Alone, nobody else needs telling.
    fn changed(&self, _site: &str) {}
    /// Sites changed through other collectors, for this one to forget; `None` when alone.
    fn changes(&self) -> Option<broadcast::Receiver<String>> {
        None
    }
}

/// The live channel for a store at `database` (its URL): through PostgreSQL when several
/// collectors may share it, within this process otherwise.
pub async fn for_database(
    database: &str,
) -> Result<std::sync::Arc<dyn Broadcast>, postgres::LiveError> {
    if database.starts_with("postgres://") || database.starts_with("postgresql://") {
        return Ok(std::sync::Arc::new(
            postgres::PgBroadcast::start(database).await?,
        ));
    }
    Ok(std::sync::Arc::new(LocalBroadcast::default()))
}

/// Senders by topic, each made when first subscribed to and dropped when nobody listens.
#[derive(Debug)]
struct Topics<T>(Mutex<HashMap<String, broadcast::Sender<T>>>, usize);

impl<T> Topics<T> {
    fn new(backlog: usize) -> Self {
        Topics(Mutex::new(HashMap::new()), backlog)
    }
}

impl<T: Clone> Topics<T> {
    fn publish(&self, topic: &str, event: T) {
        let Ok(mut topics) = self.0.lock() else {
            return;
        };
        if let Some(tx) = topics.get(topic)
            && tx.send(event).is_err()
        {
            // Nobody listens any more.
            topics.remove(topic);
        }
    }

    fn listening(&self, topic: &str) -> bool {
        (self.0.lock()).is_ok_and(|t| t.get(topic).is_some_and(|tx| tx.receiver_count() > 0))
    }

    fn subscribe(&self, topic: &str) -> broadcast::Receiver<T> {
        let mut topics = self.0.lock().unwrap_or_else(|e| e.into_inner());
        topics
            .entry(topic.to_owned())
            .or_insert_with(|| broadcast::channel(self.1).0)
            .subscribe()
    }
}

/// Within this process.
#[derive(Debug)]
pub struct LocalBroadcast {
    sites: Topics<Numbered>,
    chats: Topics<ChatEvent>,
    next: AtomicU64,
}

impl Default for LocalBroadcast {
    fn default() -> Self {
        LocalBroadcast {
            sites: Topics::new(BACKLOG),
            chats: Topics::new(CHAT_BACKLOG),
            next: AtomicU64::new(0),
        }
    }
}

impl LocalBroadcast {
    /// Delivers an event numbered elsewhere (by the database carrying it between collectors).
    pub fn deliver(&self, site: &str, numbered: Numbered) {
        self.sites.publish(site, numbered);
    }
}

impl Broadcast for LocalBroadcast {
    fn publish(&self, site: &str, event: LiveEvent) {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        self.sites.publish(site, Numbered { id, event });
    }

    fn listening(&self, site: &str) -> bool {
        self.sites.listening(site)
    }

    fn subscribe(&self, site: &str) -> broadcast::Receiver<Numbered> {
        self.sites.subscribe(site)
    }

    fn publish_chat(&self, conversation: &str, event: ChatEvent) {
        self.chats.publish(conversation, event);
    }

    fn subscribe_chat(&self, conversation: &str) -> broadcast::Receiver<ChatEvent> {
        self.chats.subscribe(conversation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn presence(name: &str) -> LiveEvent {
        LiveEvent::Presence {
            staff: name.into(),
            status: "online".into(),
        }
    }

    #[tokio::test]
    async fn subscribers_get_their_sites_events_in_order_and_no_others() {
        let live = LocalBroadcast::default();
        live.publish("shop", presence("before anyone listened"));
        let mut shop = live.subscribe("shop");
        let mut other = live.subscribe("other");
        live.publish("shop", presence("ana"));
        live.publish("other", presence("bo"));
        live.publish("shop", presence("cy"));
        let a = shop.recv().await.unwrap();
        let c = shop.recv().await.unwrap();
        assert_eq!((a.event, c.event), (presence("ana"), presence("cy")));
        assert!(a.id < c.id);
        assert_eq!(other.recv().await.unwrap().event, presence("bo"));
        assert!(shop.try_recv().is_err(), "nothing else");
    }
}
