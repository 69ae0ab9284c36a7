//! Words in feedback: comments folded to plain lowercase words (accents off, punctuation
//! out), the built-in negative and compensation words in English, German, French and
//! Spanish, and matching a word list against a comment (a listed word matches a word that
//! starts with it, so `frustrat` finds `frustrating`; a listed phrase matches as a phrase).

/// Built-in words that make a comment negative, by language.
const NEGATIVE: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "bad",
            "broken",
            "bug",
            "cannot",
            "can t",
            "confus",
            "crash",
            "declin",
            "didn t",
            "disappoint",
            "doesn t",
            "don t work",
            "error",
            "fail",
            "frustrat",
            "hate",
            "horribl",
            "impossibl",
            "annoy",
            "not work",
            "problem",
            "refus",
            "rubbish",
            "slow",
            "stuck",
            "terribl",
            "awful",
            "useless",
            "won t",
            "worst",
            "wrong",
            "never arriv",
            "missing",
        ],
    ),
    (
        "de",
        &[
            "schlecht",
            "kaputt",
            "fehler",
            "geht nicht",
            "funktioniert nicht",
            "abgelehnt",
            "langsam",
            "argerlich",
            "nervig",
            "unmoglich",
            "schrecklich",
            "furchtbar",
            "problem",
            "falsch",
            "enttausch",
            "hangt",
            "klappt nicht",
            "nutzlos",
        ],
    ),
    (
        "fr",
        &[
            "mauvais",
            "casse",
            "erreur",
            "ne marche pas",
            "ne fonctionne pas",
            "refus",
            "lent",
            "enervant",
            "impossibl",
            "horribl",
            "nul",
            "probleme",
            "bloque",
            "decu",
            "echec",
            "inutil",
        ],
    ),
    (
        "es",
        &[
            "malo",
            "mala",
            "roto",
            "error",
            "no funciona",
            "rechaz",
            "lento",
            "molest",
            "imposibl",
            "horribl",
            "terribl",
            "problema",
            "fallo",
            "falla",
            "decepcion",
            "inutil",
            "atascad",
        ],
    ),
];

/// Built-in words that ask for compensation, in every language.
const COUPON: &[&str] = &[
    "coupon",
    "voucher",
    "discount",
    "refund",
    "compensat",
    "money back",
    "promo code",
    "gutschein",
    "rabatt",
    "erstatt",
    "entschadig",
    "geld zuruck",
    "bon d achat",
    "reduction",
    "rembours",
    "dedommag",
    "cupon",
    "descuento",
    "reembols",
    "compensacion",
];

/// `text` as plain lowercase words: letters folded to ASCII where they have a plain form
/// (é to e, ß to ss), everything that is not a letter or digit a single space.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = true;
    for c in text.chars().flat_map(char::to_lowercase) {
        let plain: &str = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => "a",
            'ç' => "c",
            'è' | 'é' | 'ê' | 'ë' => "e",
            'ì' | 'í' | 'î' | 'ï' => "i",
            'ñ' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => "o",
            'ù' | 'ú' | 'û' | 'ü' => "u",
            'ý' | 'ÿ' => "y",
            'ß' => "ss",
            'œ' => "oe",
            'æ' => "ae",
            _ => "",
        };
        if !plain.is_empty() {
            out.push_str(plain);
            space = false;
        } else if c.is_alphanumeric() {
            out.push(c);
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Whether folded `text` holds `word` (folded too): at the start of one of its words.
pub fn holds(text: &str, word: &str) -> bool {
    let word = fold(word);
    if word.is_empty() {
        return false;
    }
    let mut from = 0;
    while let Some(at) = text[from..].find(&word) {
        let start = from + at;
        if start == 0 || text.as_bytes()[start - 1] == b' ' {
            return true;
        }
        from = start + word.len();
    }
    false
}

/// The first word of `list` that folded `text` holds.
pub fn first_held<'a>(text: &str, list: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    list.into_iter().find(|w| holds(text, w))
}

/// Whether folded `text` is negative: a built-in word of any language, or one of the
/// site's own words.
pub fn negative<'a>(text: &str, own: impl IntoIterator<Item = &'a str>) -> bool {
    let built_in = NEGATIVE.iter().flat_map(|(_, words)| words.iter().copied());
    first_held(text, built_in.chain(own)).is_some()
}

/// Whether folded `text` asks for compensation.
pub fn asks_compensation<'a>(text: &str, own: impl IntoIterator<Item = &'a str>) -> bool {
    first_held(text, COUPON.iter().copied().chain(own)).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_keeps_words_and_drops_the_rest() {
        assert_eq!(
            fold("  Ça NE marche PAS!!  Grüße, ß"),
            "ca ne marche pas grusse ss"
        );
        assert_eq!(fold("¿Por qué?"), "por que");
        assert_eq!(fold("..."), "");
    }

    #[test]
    fn words_match_at_the_start_of_a_word() {
        let t = fold("So frustrating: my card was declined twice");
        assert!(holds(&t, "frustrat"));
        assert!(holds(&t, "declin"));
        assert!(!holds(&t, "ustrat"));
        assert!(holds(&t, "Card was"));
    }

    #[test]
    fn negative_in_every_language_and_the_sites_own() {
        for text in [
            "The page is broken",
            "Die Zahlung wurde abgelehnt",
            "Le paiement ne fonctionne pas",
            "El pago fue rechazado",
        ] {
            assert!(negative(&fold(text), []), "{text}");
        }
        assert!(!negative(&fold("Lovely boots, quick delivery"), []));
        assert!(negative(&fold("meh"), ["meh"]));
    }

    #[test]
    fn asking_for_compensation() {
        assert!(asks_compensation(&fold("I want a voucher"), []));
        assert!(asks_compensation(&fold("Ich will einen Gutschein"), []));
        assert!(!asks_compensation(&fold("The card was declined"), []));
    }
}
