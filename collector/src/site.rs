//! What a site name and a page origin may be, and whether a request's origin is a site's.

/// Longest site name.
pub const MAX_NAME: usize = 64;

/// Checks a site name: 1 to 64 of `a-z 0-9 - _`, starting with a letter or digit.
pub fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME
        && name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "bad site name {name:?}: use 1 to {MAX_NAME} of a-z 0-9 - _, starting with a letter or digit"
        ))
    }
}

/// Checks an origin and returns it normalised (`https://shop.example:8443`, no path, no
/// trailing slash).
pub fn check_origin(origin: &str) -> Result<String, String> {
    let trimmed = origin.trim().trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"));
    let ok = rest.is_some_and(|host| {
        !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
    });
    if ok {
        Ok(trimmed.to_ascii_lowercase())
    } else {
        Err(format!(
            "bad origin {origin:?}: expected http(s)://HOST[:PORT], with no path"
        ))
    }
}

/// The origin part of a URL (`https://host:port`), if it has one.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split('/').next()?;
    check_origin(&format!("{scheme}://{host}")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_origins_are_checked() {
        assert!(check_name("demo-shop_1").is_ok());
        for bad in ["", "Demo", "-x", "a b", "a/b", &"x".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
        assert_eq!(
            check_origin("https://Shop.example/").unwrap(),
            "https://shop.example"
        );
        assert_eq!(
            check_origin("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        for bad in [
            "shop.example",
            "https://",
            "https://shop.example/path",
            "ftp://x",
        ] {
            assert!(check_origin(bad).is_err(), "{bad}");
        }
        assert_eq!(
            origin_of("http://127.0.0.1:8080/demo/").as_deref(),
            Some("http://127.0.0.1:8080")
        );
    }
}
