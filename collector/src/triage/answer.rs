//! [`Answer`]: what the visitor is told in the prompt they answered, in their language
//! (English, German, French or Spanish; English otherwise): thanks; what went wrong and
//! what the shop is doing, when the catalogue allows; a coupon, when one was minted; that
//! none could be issued now, when minting failed. Potential fraud gets the same neutral
//! words as any complaint.

use serde::Serialize;

/// A coupon as the visitor sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CouponAnswer {
    /// The code to type at checkout.
    pub code: String,
    /// "10.00 EUR off" or "15 % off", in the visitor's language.
    pub value: String,
    /// "Valid until 2027-01-01".
    pub expires: String,
    /// The copy button's words, before and after copying.
    pub copy: [String; 2],
}

/// What the collector answers a feedback with.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    /// The feedback's report key.
    pub key: String,
    /// The heading.
    pub title: String,
    /// More, when there is more to say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The coupon minted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coupon: Option<CouponAnswer>,
}

/// The fixed words of answers in one language.
pub struct Words {
    /// After positive or neutral feedback.
    pub thanks: &'static str,
    /// After a complaint.
    pub noted: &'static str,
    /// Before a disclosed problem's title.
    pub sorry: &'static str,
    /// Before a coupon.
    pub coupon: &'static str,
    /// `{value}` off.
    pub off: &'static str,
    /// Valid until `{date}`.
    pub until: &'static str,
    /// Copy, copied.
    pub copy: [&'static str; 2],
    /// A coupon was due and could not be issued now.
    pub later: &'static str,
}

const EN: Words = Words {
    thanks: "Thank you for your feedback.",
    noted: "Thank you. We have passed this on to our team.",
    sorry: "Sorry, this was our fault:",
    coupon: "As an apology, here is a coupon for your next order.",
    off: "{value} off",
    until: "Valid until {date}",
    copy: ["Copy code", "Copied"],
    later: "We could not issue your coupon just now; our team will follow up.",
};
const DE: Words = Words {
    thanks: "Danke für Ihr Feedback.",
    noted: "Danke. Wir haben es an unser Team weitergegeben.",
    sorry: "Entschuldigung, das lag an uns:",
    coupon: "Als Entschuldigung ein Gutschein für Ihre nächste Bestellung.",
    off: "{value} Rabatt",
    until: "Gültig bis {date}",
    copy: ["Code kopieren", "Kopiert"],
    later: "Ihr Gutschein konnte gerade nicht ausgestellt werden; unser Team meldet sich.",
};
const FR: Words = Words {
    thanks: "Merci pour votre avis.",
    noted: "Merci. Nous l’avons transmis à notre équipe.",
    sorry: "Désolé, c’était de notre faute :",
    coupon: "Pour nous excuser, voici un bon pour votre prochaine commande.",
    off: "{value} de réduction",
    until: "Valable jusqu’au {date}",
    copy: ["Copier le code", "Copié"],
    later: "Votre bon n’a pas pu être émis pour l’instant ; notre équipe vous recontactera.",
};
const ES: Words = Words {
    thanks: "Gracias por tu opinión.",
    noted: "Gracias. Lo hemos pasado a nuestro equipo.",
    sorry: "Lo sentimos, fue culpa nuestra:",
    coupon: "Para disculparnos, aquí tienes un cupón para tu próximo pedido.",
    off: "{value} de descuento",
    until: "Válido hasta el {date}",
    copy: ["Copiar código", "Copiado"],
    later: "No hemos podido emitir tu cupón ahora; nuestro equipo se pondrá en contacto.",
};

/// The words for a language tag (`de-AT` reads German).
pub fn words(lang: &str) -> &'static Words {
    match lang.get(..2).map(str::to_ascii_lowercase).as_deref() {
        Some("de") => &DE,
        Some("fr") => &FR,
        Some("es") => &ES,
        _ => &EN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_by_their_primary_tag() {
        assert_eq!(words("de-AT").thanks, DE.thanks);
        assert_eq!(words("FR").thanks, FR.thanks);
        assert_eq!(words("pt-BR").thanks, EN.thanks);
        assert_eq!(words("").thanks, EN.thanks);
    }
}
