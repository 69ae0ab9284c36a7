//! The fixed words of a support session (the panel's name, the search box, the guide's
//! buttons, "Did this solve it?"), by language: defaults for the languages built in, over
//! which a site's `support.labels` go. The checker compiles the words of every language
//! the content speaks into the content, so the module carries no table of its own.

use alloc::string::String;
use alloc::vec::Vec;

/// The word names, in the order of each language's row.
pub const KEYS: [&str; 20] = [
    "help", "search", "answers", "results", "nothing", "guide", "step", "back", "next", "done",
    "ask", "yes", "no", "glad", "sorry", "person", "chat", "email", "phone", "close",
];

type Row = [&'static str; KEYS.len()];

/// Defaults by primary language subtag; in `step`, `{n}` is the step and `{m}` how many.
pub const DEFAULTS: &[(&str, Row)] = &[
    (
        "en",
        [
            "Help",
            "Search help",
            "Answers for this page",
            "Other answers",
            "Nothing found. Try other words, or ask a person.",
            "Show me how",
            "Step {n} of {m}",
            "Back",
            "Next",
            "Done",
            "Did this solve it?",
            "Yes",
            "No",
            "Glad that helped.",
            "Sorry that did not help.",
            "Talk to a person",
            "Chat with us",
            "Email us",
            "Call us",
            "Close",
        ],
    ),
    (
        "de",
        [
            "Hilfe",
            "Hilfe durchsuchen",
            "Antworten zu dieser Seite",
            "Weitere Antworten",
            "Nichts gefunden. Versuchen Sie andere Wörter oder fragen Sie eine Person.",
            "Zeig mir, wie",
            "Schritt {n} von {m}",
            "Zurück",
            "Weiter",
            "Fertig",
            "Hat das geholfen?",
            "Ja",
            "Nein",
            "Schön, dass es geholfen hat.",
            "Das tut uns leid.",
            "Mit einer Person sprechen",
            "Chatten Sie mit uns",
            "E-Mail an uns",
            "Rufen Sie uns an",
            "Schließen",
        ],
    ),
    (
        "fr",
        [
            "Aide",
            "Rechercher dans l'aide",
            "Réponses pour cette page",
            "Autres réponses",
            "Rien trouvé. Essayez d'autres mots, ou demandez à une personne.",
            "Montrez-moi",
            "Étape {n} sur {m}",
            "Retour",
            "Suivant",
            "Terminé",
            "Cela a-t-il résolu le problème ?",
            "Oui",
            "Non",
            "Ravi que cela ait aidé.",
            "Désolé, cela n'a pas aidé.",
            "Parler à une personne",
            "Discuter avec nous",
            "Nous écrire",
            "Nous appeler",
            "Fermer",
        ],
    ),
    (
        "es",
        [
            "Ayuda",
            "Buscar en la ayuda",
            "Respuestas para esta página",
            "Otras respuestas",
            "No se encontró nada. Pruebe otras palabras o pregunte a una persona.",
            "Muéstreme cómo",
            "Paso {n} de {m}",
            "Atrás",
            "Siguiente",
            "Hecho",
            "¿Se ha resuelto?",
            "Sí",
            "No",
            "Nos alegra que haya ayudado.",
            "Lamentamos que no haya ayudado.",
            "Hablar con una persona",
            "Chatee con nosotros",
            "Escríbanos",
            "Llámenos",
            "Cerrar",
        ],
    ),
];

/// The words of `language` (its primary subtag's defaults, English when there are none),
/// with `given` (name, text) over them.
pub fn words_for<'a>(
    language: &str,
    given: impl Iterator<Item = (&'a str, &'a str)>,
) -> Vec<String> {
    let primary = language.split('-').next().unwrap_or(language);
    let row = (DEFAULTS.iter())
        .find(|(tag, _)| tag.eq_ignore_ascii_case(primary))
        .unwrap_or(&DEFAULTS[0])
        .1;
    let mut out: Vec<String> = row.iter().map(|w| String::from(*w)).collect();
    for (name, text) in given {
        if let Some(i) = KEYS.iter().position(|k| *k == name) {
            out[i] = text.into();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_language_gets_its_defaults_and_the_sites_words_over_them() {
        let fr = words_for("fr-CA", [("ask", "Ça va mieux ?")].into_iter());
        assert_eq!(fr[0], "Aide");
        assert_eq!(
            fr[KEYS.iter().position(|k| *k == "ask").unwrap()],
            "Ça va mieux ?"
        );
        assert_eq!(
            words_for("ja", core::iter::empty())[0],
            "Help",
            "English otherwise"
        );
        for (tag, row) in DEFAULTS {
            assert!(row.iter().all(|w| !w.is_empty()), "{tag}");
            assert!(row[6].contains("{n}") && row[6].contains("{m}"), "{tag}");
        }
    }
}
