//! What of a URL may leave the page: the path, and only the query parameters the rules keep.

use crate::prelude::*;

/// `path_and_query` (as `location.pathname + location.search`, possibly with a fragment)
/// reduced to its path plus the parameters named in `keep`, in their original order.
pub fn report_path(path_and_query: &str, keep: &[String]) -> String {
    let (without_fragment, _) = crate::page::cut(path_and_query, b'#');
    let (path, mut query) = crate::page::cut(without_fragment, b'?');
    let path = crate::page::normal_path(path);
    let mut out = String::with_capacity(path.len() + 1);
    out.push_str(path);
    let mut first = true;
    while !query.is_empty() {
        let (pair, rest) = crate::page::cut(query, b'&');
        query = rest;
        let (name, _) = crate::page::cut(pair, b'=');
        if !pair.is_empty() && keep.iter().any(|k| k == name) {
            out.push(if first { '?' } else { '&' });
            out.push_str(pair);
            first = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_kept_query_parameters_leave_the_page() {
        let keep = vec!["step".to_owned(), "lang".to_owned()];
        assert_eq!(
            report_path("/checkout?email=a%40b.c&step=2&token=x&lang=fr#card", &keep),
            "/checkout?step=2&lang=fr"
        );
        assert_eq!(report_path("/search?q=secret+stuff", &[]), "/search");
        assert_eq!(report_path("?q=1", &[]), "/");
    }
}
