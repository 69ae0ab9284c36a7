//! Conversations and their messages in the writer's transaction: a message sent again with
//! the same client id is the same message; an offer's coupon is minted with its message;
//! read marks only go forward; a card is taken up once.

use lifeline_shared::rules::spec::{CouponKind, CouponSpec};

use super::{Conn, Row, params, stored_millis};
use crate::store::StoreError;
use crate::store::chat::{Card, Conversation, Message, NewConversation, NewMessage, Side};
use crate::triage::coupon;

const DAY: u64 = 86_400_000;

const CONVERSATION: &str = "c.id, c.session, c.opened, c.page, c.band, c.signals, c.rule,
    c.alert, c.staff, c.closed, c.visitor_read, c.staff_read,
    (SELECT COUNT(*) FROM messages m WHERE m.conversation = c.id),
    (SELECT COALESCE(MAX(m.id), 0) FROM messages m WHERE m.conversation = c.id),
    (SELECT COUNT(*) FROM messages m WHERE m.conversation = c.id AND m.side = 'visitor'
        AND m.id > c.staff_read),
    c.token_hash";

fn conversation(r: &Row) -> Result<(Conversation, [u8; 32]), StoreError> {
    let signals: String = r.get(5)?;
    Ok((
        Conversation {
            id: r.get(0)?,
            session: r.get(1)?,
            opened: r.count(2)?,
            page: r.get(3)?,
            band: r.get(4)?,
            signals: signals.split_whitespace().map(str::to_owned).collect(),
            rule: r.get(6)?,
            alert: r.get(7)?,
            staff: r.get(8)?,
            closed: r.get::<Option<u64>>(9)?,
            visitor_read: r.get(10)?,
            staff_read: r.get(11)?,
            messages: r.get(12)?,
            last: r.get(13)?,
            unread: r.get(14)?,
        },
        r.hash(15)?,
    ))
}

const MESSAGE: &str = "id, at, side, author, text, card, accepted, client_id";

fn message(r: &Row) -> Result<Message, StoreError> {
    let side: String = r.get(2)?;
    let card: Option<String> = r.get(5)?;
    Ok(Message {
        id: r.get(0)?,
        at: r.count(1)?,
        from: Side::from_name(&side).unwrap_or(Side::Visitor),
        author: r.get(3)?,
        text: r.get(4)?,
        card: card.and_then(|c| serde_json::from_str(&c).ok()),
        accepted: r.get::<Option<u64>>(6)?,
        client_id: r.get(7)?,
    })
}

/// One conversation of the site, with its visitor's token hash.
pub fn get(
    conn: &dyn Conn,
    site: &str,
    id: &str,
) -> Result<Option<(Conversation, [u8; 32])>, StoreError> {
    conn.row(
        &format!("SELECT {CONVERSATION} FROM conversations c WHERE c.site = ?1 AND c.id = ?2"),
        params![site, id],
        conversation,
    )
}

fn existing(conn: &dyn Conn, site: &str, id: &str) -> Result<Conversation, StoreError> {
    get(conn, site, id)?
        .map(|(c, _)| c)
        .ok_or(StoreError::UnknownConversation)
}

/// Opens a conversation.
pub fn open(
    conn: &dyn Conn,
    site: &str,
    new: &NewConversation,
    now: u64,
) -> Result<Conversation, StoreError> {
    conn.execute(
        "INSERT INTO conversations (id, site, token_hash, session, opened, page, band, signals,
            rule, alert)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            new.id,
            site,
            &new.token_hash[..],
            new.session,
            stored_millis(now),
            new.page,
            new.band,
            new.signals,
            new.rule,
            new.alert
        ],
    )?;
    existing(conn, site, &new.id)
}

/// The site's conversations, newest first.
pub fn list(conn: &dyn Conn, site: &str, open: bool) -> Result<Vec<Conversation>, StoreError> {
    let sql = format!(
        "SELECT {CONVERSATION} FROM conversations c WHERE c.site = ?1 {}
         ORDER BY c.opened DESC, c.id LIMIT 500",
        if open { "AND c.closed IS NULL" } else { "" }
    );
    conn.rows(&sql, params![site], |r| conversation(r).map(|(c, _)| c))
}

fn one(conn: &dyn Conn, conversation: &str, id: i64) -> Result<Option<Message>, StoreError> {
    conn.row(
        &format!("SELECT {MESSAGE} FROM messages WHERE conversation = ?1 AND id = ?2"),
        params![conversation, id],
        message,
    )
}

/// Adds a message (its coupon minted with it); the stored one when its client id was seen.
pub fn post(
    conn: &dyn Conn,
    site: &str,
    id: &str,
    mut m: NewMessage,
    mint: Option<&CouponSpec>,
    now: u64,
) -> Result<(Message, bool), StoreError> {
    let c = existing(conn, site, id)?;
    if let Some(client) = &m.client_id {
        let seen = conn.row(
            &format!("SELECT {MESSAGE} FROM messages WHERE conversation = ?1 AND client_id = ?2"),
            params![id, client],
            message,
        )?;
        if let Some(seen) = seen {
            return Ok((seen, false));
        }
    }
    if c.closed.is_some() {
        return Err(StoreError::ConversationClosed);
    }
    if let (
        Some(spec),
        Some(Card::Offer {
            offer,
            code,
            value,
            expires,
            ..
        }),
    ) = (mint, m.card.as_mut())
    {
        let minted = coupon::code(&spec.prefix);
        let until = now + u64::from(spec.valid_days) * DAY;
        let kind = match spec.kind {
            CouponKind::Amount => "amount",
            CouponKind::Percent => "percent",
        };
        // The ledger's coupon: no feedback report behind it (0), the visit as its visitor.
        conn.execute(
            "INSERT INTO coupons (code, site, report, visitor, address, problem, kind, value,
                currency, minted, expires)
             VALUES (?1, ?2, 0, ?3, '', ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                minted,
                site,
                c.session,
                format!("chat:{offer}"),
                kind,
                spec.value,
                spec.currency,
                stored_millis(now),
                stored_millis(until)
            ],
        )?;
        *code = minted;
        *value = Some(coupon::face(spec));
        *expires = Some(coupon::date(until));
    }
    let card = (m.card.as_ref())
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| StoreError::Database(e.to_string()))?;
    let new: i64 = conn.one(
        "INSERT INTO messages (conversation, at, side, author, text, card, client_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
        params![
            id,
            stored_millis(now),
            m.from.as_str(),
            m.author,
            m.text,
            card,
            m.client_id
        ],
    )?;
    if m.from == Side::Staff {
        // The first member of staff to write takes the conversation.
        conn.execute(
            "UPDATE conversations SET staff = ?2 WHERE id = ?1 AND staff IS NULL",
            params![id, m.author],
        )?;
    }
    let stored = one(conn, id, new)?.ok_or(StoreError::UnknownConversation)?;
    Ok((stored, true))
}

/// Messages after `after`, oldest first.
pub fn messages(
    conn: &dyn Conn,
    site: &str,
    id: &str,
    after: i64,
    limit: u32,
) -> Result<Vec<Message>, StoreError> {
    existing(conn, site, id)?;
    conn.rows(
        &format!(
            "SELECT {MESSAGE} FROM messages WHERE conversation = ?1 AND id > ?2
             ORDER BY id LIMIT ?3"
        ),
        params![id, after, limit],
        message,
    )
}

/// Moves `side`'s read mark forward to `upto` (at most the last message).
pub fn read(
    conn: &dyn Conn,
    site: &str,
    id: &str,
    side: Side,
    upto: i64,
) -> Result<i64, StoreError> {
    let c = existing(conn, site, id)?;
    let column = match side {
        Side::Visitor => "visitor_read",
        Side::Staff => "staff_read",
    };
    let was = match side {
        Side::Visitor => c.visitor_read,
        Side::Staff => c.staff_read,
    };
    let now = upto.min(c.last).max(was);
    if now != was {
        conn.execute(
            &format!("UPDATE conversations SET {column} = ?2 WHERE id = ?1"),
            params![id, now],
        )?;
    }
    Ok(now)
}

/// The visitor takes up staff's card in message `message`.
pub fn accept(
    conn: &dyn Conn,
    site: &str,
    id: &str,
    message: i64,
    now: u64,
) -> Result<Message, StoreError> {
    existing(conn, site, id)?;
    let m = one(conn, id, message)?.ok_or(StoreError::NoCard)?;
    let takeable =
        m.from == Side::Staff && matches!(m.card, Some(Card::Offer { .. } | Card::Product { .. }));
    if !takeable {
        return Err(StoreError::NoCard);
    }
    if m.accepted.is_some() {
        return Ok(m);
    }
    conn.execute(
        "UPDATE messages SET accepted = ?3 WHERE conversation = ?1 AND id = ?2",
        params![id, message, stored_millis(now)],
    )?;
    one(conn, id, message)?.ok_or(StoreError::NoCard)
}

/// Closes a conversation.
pub fn close(conn: &dyn Conn, site: &str, id: &str, now: u64) -> Result<Conversation, StoreError> {
    conn.execute(
        "UPDATE conversations SET closed = ?3 WHERE site = ?1 AND id = ?2 AND closed IS NULL",
        params![site, id, stored_millis(now)],
    )?;
    existing(conn, site, id)
}
