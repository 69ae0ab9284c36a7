//! What of a URL may leave the page: the path, and only the query parameters the rules keep.

/// `path_and_query` (as `location.pathname + location.search`, possibly with a fragment)
/// reduced to its path plus the parameters named in `keep`, in their original order.
pub fn report_path(path_and_query: &str, keep: &[String]) -> String {
    let without_fragment = path_and_query.split('#').next().unwrap_or("");
    let (path, query) = without_fragment
        .split_once('?')
        .unwrap_or((without_fragment, ""));
    let path = crate::page::normal_path(path);
    let mut out = String::with_capacity(path.len() + 1);
    out.push_str(path);
    let mut first = true;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let name = pair.split('=').next().unwrap_or("");
        if keep.iter().any(|k| k == name) {
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
