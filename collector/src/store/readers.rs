//! [`Readers`]: an engine's idle reading connections, kept for the next read (a few; more are
//! opened under load and closed after), and never handed out once they are broken.

use std::sync::Mutex;

use super::StoreError;

/// Idle connections kept.
const KEPT: usize = 8;

/// An engine's reading connections.
#[derive(Debug)]
pub struct Readers<C>(Mutex<Vec<C>>);

impl<C> Default for Readers<C> {
    fn default() -> Self {
        Readers(Mutex::new(Vec::new()))
    }
}

impl<C> Readers<C> {
    /// Runs `read` on an idle connection still `sound`, or on one `open` makes; keeps it
    /// afterwards if it is still sound and there is room.
    pub fn with(
        &self,
        open: impl FnOnce() -> Result<C, StoreError>,
        sound: impl Fn(&C) -> bool,
        read: impl FnOnce(&mut C),
    ) -> Result<(), StoreError> {
        let idle = self.0.lock().ok().and_then(|mut r| r.pop());
        let mut conn = match idle.filter(|c| sound(c)) {
            Some(c) => c,
            None => open()?,
        };
        read(&mut conn);
        if let Ok(mut r) = self.0.lock()
            && r.len() < KEPT
            && sound(&conn)
        {
            r.push(conn);
        }
        Ok(())
    }

    /// Every idle connection, taken out (to be closed).
    pub fn take_all(&self) -> Vec<C> {
        (self.0.lock().ok()).map_or_else(Vec::new, |mut r| std::mem::take(&mut *r))
    }
}
