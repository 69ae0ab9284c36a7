//! `privacy`: what the agent may keep of a URL, and the consent signals it honours.

use crate::prelude::*;

use super::super::declare::json_object;

json_object! {
    #[defaults]
    /// What counts as a page view.
    pub struct PagesSpec {
        /// The URL's fragment is part of the page (`/#/cart` and `/#/account` are two pages,
        /// and a `hashchange` is a page view), for single-page apps with hash routes.
        pub hash_routes: bool = false,
    }
}

json_object! {
    #[defaults]
    /// Privacy settings.
    pub struct PrivacySpec {
        /// Query parameters kept in reported page paths; every other one is dropped.
        pub keep_query: Vec<String> = Vec::new(),
        /// Stay dormant when the browser sends Global Privacy Control.
        pub honor_gpc: bool = true,
        /// Stay dormant until the page calls `lifeline.consent(true)`.
        pub require_consent: bool = false,
    }
}
