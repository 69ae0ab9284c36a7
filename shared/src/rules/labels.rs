//! The fixed words of a prompt — Close, Send, Yes and No, the rating's name, the thank-you —
//! in the languages a site's prompts speak. Defaults for common languages live here (on
//! the collector, never in the agent); the rules' `labels` override any of them; checking
//! compiles one JSON object per language for the prompt renderer, so a browser only
//! receives the words of the languages the site uses.

use crate::prelude::*;

use crate::wire::json_string;

/// The label names, in the order of [`DEFAULTS`]' rows.
pub const KEYS: [&str; 15] = [
    "close", "rating", "star", "helpful", "yes", "no", "comment", "send", "chat", "call", "claim",
    "need", "discard", "thanks", "noted",
];

/// The longest a label may be, in characters.
pub const MAX_LABEL_TEXT: usize = 200;

type Row = [&'static str; KEYS.len()];

/// Defaults by primary language subtag; `star` names one star of five, `{n}` its number.
const DEFAULTS: &[(&str, Row)] = &[
    (
        "en",
        [
            "Close",
            "Your rating",
            "{n} of 5",
            "Was this helpful?",
            "Yes",
            "No",
            "Anything to add? (optional)",
            "Send",
            "Chat with us",
            "Call us",
            "Claim my offer",
            "Choose an answer or write a comment first.",
            "Your comment is not sent. Press Escape again to discard it.",
            "Thank you for your feedback.",
            "Thank you. Your request is noted.",
        ],
    ),
    (
        "de",
        [
            "Schließen",
            "Ihre Bewertung",
            "{n} von 5",
            "War das hilfreich?",
            "Ja",
            "Nein",
            "Möchten Sie etwas ergänzen? (optional)",
            "Senden",
            "Mit uns chatten",
            "Rufen Sie uns an",
            "Angebot einlösen",
            "Wählen Sie zuerst eine Antwort oder schreiben Sie einen Kommentar.",
            "Ihr Kommentar ist nicht gesendet. Drücken Sie noch einmal Escape, um ihn zu verwerfen.",
            "Vielen Dank für Ihr Feedback.",
            "Vielen Dank. Wir haben Ihre Anfrage erhalten.",
        ],
    ),
    (
        "fr",
        [
            "Fermer",
            "Votre note",
            "{n} sur 5",
            "Cela vous a-t-il aidé ?",
            "Oui",
            "Non",
            "Autre chose à ajouter ? (facultatif)",
            "Envoyer",
            "Discuter avec nous",
            "Nous appeler",
            "Profiter de l’offre",
            "Choisissez d’abord une réponse ou écrivez un commentaire.",
            "Votre commentaire n’est pas envoyé. Appuyez de nouveau sur Échap pour l’effacer.",
            "Merci pour votre avis.",
            "Merci. Votre demande est bien enregistrée.",
        ],
    ),
    (
        "es",
        [
            "Cerrar",
            "Tu valoración",
            "{n} de 5",
            "¿Te ha sido útil?",
            "Sí",
            "No",
            "¿Algo que añadir? (opcional)",
            "Enviar",
            "Chatea con nosotros",
            "Llámanos",
            "Obtener mi oferta",
            "Elige primero una respuesta o escribe un comentario.",
            "Tu comentario no se ha enviado. Pulsa Escape otra vez para descartarlo.",
            "Gracias por tu opinión.",
            "Gracias. Hemos recibido tu solicitud.",
        ],
    ),
    (
        "it",
        [
            "Chiudi",
            "La tua valutazione",
            "{n} su 5",
            "Ti è stato utile?",
            "Sì",
            "No",
            "Qualcosa da aggiungere? (facoltativo)",
            "Invia",
            "Chatta con noi",
            "Chiamaci",
            "Richiedi l’offerta",
            "Scegli prima una risposta o scrivi un commento.",
            "Il commento non è stato inviato. Premi di nuovo Esc per scartarlo.",
            "Grazie per il tuo feedback.",
            "Grazie. Abbiamo ricevuto la tua richiesta.",
        ],
    ),
    (
        "nl",
        [
            "Sluiten",
            "Uw beoordeling",
            "{n} van 5",
            "Was dit nuttig?",
            "Ja",
            "Nee",
            "Nog iets toe te voegen? (optioneel)",
            "Versturen",
            "Chat met ons",
            "Bel ons",
            "Aanbieding gebruiken",
            "Kies eerst een antwoord of schrijf een opmerking.",
            "Uw opmerking is niet verstuurd. Druk nogmaals op Escape om haar te verwijderen.",
            "Bedankt voor uw feedback.",
            "Bedankt. We hebben uw verzoek ontvangen.",
        ],
    ),
    (
        "pt",
        [
            "Fechar",
            "A sua avaliação",
            "{n} de 5",
            "Isto foi útil?",
            "Sim",
            "Não",
            "Algo a acrescentar? (opcional)",
            "Enviar",
            "Fale connosco",
            "Ligue-nos",
            "Aproveitar a oferta",
            "Escolha primeiro uma resposta ou escreva um comentário.",
            "O seu comentário não foi enviado. Prima Escape de novo para o descartar.",
            "Obrigado pelo seu feedback.",
            "Obrigado. Recebemos o seu pedido.",
        ],
    ),
    (
        "sv",
        [
            "Stäng",
            "Ditt betyg",
            "{n} av 5",
            "Var det här till hjälp?",
            "Ja",
            "Nej",
            "Något att lägga till? (valfritt)",
            "Skicka",
            "Chatta med oss",
            "Ring oss",
            "Ta del av erbjudandet",
            "Välj ett svar eller skriv en kommentar först.",
            "Din kommentar är inte skickad. Tryck på Escape igen för att slänga den.",
            "Tack för din feedback.",
            "Tack. Vi har tagit emot din förfrågan.",
        ],
    ),
    (
        "da",
        [
            "Luk",
            "Din bedømmelse",
            "{n} af 5",
            "Var det nyttigt?",
            "Ja",
            "Nej",
            "Noget at tilføje? (valgfrit)",
            "Send",
            "Chat med os",
            "Ring til os",
            "Få tilbuddet",
            "Vælg et svar eller skriv en kommentar først.",
            "Din kommentar er ikke sendt. Tryk på Escape igen for at kassere den.",
            "Tak for din feedback.",
            "Tak. Vi har modtaget din forespørgsel.",
        ],
    ),
    (
        "nb",
        [
            "Lukk",
            "Din vurdering",
            "{n} av 5",
            "Var dette nyttig?",
            "Ja",
            "Nei",
            "Noe å legge til? (valgfritt)",
            "Send",
            "Chat med oss",
            "Ring oss",
            "Få tilbudet",
            "Velg et svar eller skriv en kommentar først.",
            "Kommentaren din er ikke sendt. Trykk Escape igjen for å forkaste den.",
            "Takk for tilbakemeldingen.",
            "Takk. Vi har mottatt forespørselen din.",
        ],
    ),
    (
        "pl",
        [
            "Zamknij",
            "Twoja ocena",
            "{n} z 5",
            "Czy to było pomocne?",
            "Tak",
            "Nie",
            "Chcesz coś dodać? (opcjonalnie)",
            "Wyślij",
            "Czatuj z nami",
            "Zadzwoń do nas",
            "Odbierz ofertę",
            "Najpierw wybierz odpowiedź lub napisz komentarz.",
            "Komentarz nie został wysłany. Naciśnij ponownie Escape, aby go odrzucić.",
            "Dziękujemy za opinię.",
            "Dziękujemy. Otrzymaliśmy Twoją prośbę.",
        ],
    ),
    (
        "fi",
        [
            "Sulje",
            "Arviosi",
            "{n}/5",
            "Oliko tästä apua?",
            "Kyllä",
            "Ei",
            "Haluatko lisätä jotain? (valinnainen)",
            "Lähetä",
            "Keskustele kanssamme",
            "Soita meille",
            "Lunasta tarjous",
            "Valitse ensin vastaus tai kirjoita kommentti.",
            "Kommenttiasi ei ole lähetetty. Hylkää se painamalla Esc uudelleen.",
            "Kiitos palautteestasi.",
            "Kiitos. Pyyntösi on vastaanotettu.",
        ],
    ),
];

/// The default labels for `language` (by its primary subtag), English for a language
/// without defaults.
pub fn defaults(language: &str) -> &'static Row {
    let primary = language.split('-').next().unwrap_or(language);
    DEFAULTS
        .iter()
        .find(|(tag, _)| tag.eq_ignore_ascii_case(primary))
        .map_or(&DEFAULTS[0].1, |(_, row)| row)
}

/// Whether there are default labels for `language`'s primary subtag.
pub fn has_defaults(language: &str) -> bool {
    let primary = language.split('-').next().unwrap_or(language);
    DEFAULTS
        .iter()
        .any(|(tag, _)| tag.eq_ignore_ascii_case(primary))
}

/// The labels of `language` as one JSON object (every key), for the renderer: the defaults,
/// then `overrides` (label name, text) over them.
pub fn compile<'a>(
    language: &str,
    overrides: impl Iterator<Item = (&'a str, &'a str)> + Clone,
) -> String {
    let mut out = String::from("{");
    for (i, (key, default)) in KEYS.iter().zip(defaults(language)).enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_string(&mut out, key);
        out.push(':');
        let text = overrides
            .clone()
            .filter(|(k, _)| k == key)
            .last()
            .map_or(*default, |(_, t)| t);
        json_string(&mut out, text);
    }
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_label_and_the_star_names_its_number() {
        for (tag, row) in DEFAULTS {
            assert_eq!(row.len(), KEYS.len(), "{tag}");
            assert!(row[2].contains("{n}"), "{tag}: the star label");
            assert!(
                row.iter()
                    .all(|t| !t.is_empty() && t.chars().count() <= MAX_LABEL_TEXT),
                "{tag}"
            );
        }
    }

    #[test]
    fn regional_tags_take_their_languages_words_and_unknown_ones_english() {
        assert_eq!(defaults("de-AT")[0], "Schließen");
        assert_eq!(defaults("FR")[7], "Envoyer");
        assert_eq!(defaults("ja")[0], "Close");
        assert!(has_defaults("pt-BR") && !has_defaults("ja"));
    }

    #[test]
    fn overrides_replace_only_their_labels() {
        let json = compile("en", [("send", "Submit \"now\"")].into_iter());
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["send"], "Submit \"now\"");
        assert_eq!(v["close"], "Close");
        assert_eq!(v.as_object().unwrap().len(), KEYS.len());
    }
}
