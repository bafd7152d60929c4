//! The mail texts: one Fluent file per shipped language (`mail-templates/{tag}.ftl`), embedded in the binary and
//! parsed once. Plurals follow CLDR's rules for each language (Fluent selects `[one]`, `[few]`, `[many]`, ... of a
//! number through intl_pluralrules).
//!
//! Bidi isolation: Fluent can wrap every placeable in U+2068 … U+2069 so that an address or an app name written
//! left to right does not reorder the sentence around it. That helps only right-to-left text, so it is on for
//! Arabic and off for the others. No code or link is ever a placeable: the message builders put each on its own
//! line, outside any template, so the line is exactly the code or URL, with no invisible character in or next to it
//! (a mail client must find the whole URL to make it clickable).

use std::borrow::Cow;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use super::language::Language;

/// The template files, in the order of [`SHIPPED`] (checked by a test).
const SOURCES: [(&str, &str); 12] = [
    ("en", include_str!("../../mail-templates/en.ftl")),
    ("es", include_str!("../../mail-templates/es.ftl")),
    ("fr", include_str!("../../mail-templates/fr.ftl")),
    ("de", include_str!("../../mail-templates/de.ftl")),
    ("pt-BR", include_str!("../../mail-templates/pt-BR.ftl")),
    ("it", include_str!("../../mail-templates/it.ftl")),
    ("nl", include_str!("../../mail-templates/nl.ftl")),
    ("pl", include_str!("../../mail-templates/pl.ftl")),
    ("ja", include_str!("../../mail-templates/ja.ftl")),
    ("zh-CN", include_str!("../../mail-templates/zh-CN.ftl")),
    ("ko", include_str!("../../mail-templates/ko.ftl")),
    ("ar", include_str!("../../mail-templates/ar.ftl")),
];

/// Right-to-left languages among [`SHIPPED`]: their placeables are isolated (see the module doc).
const RIGHT_TO_LEFT: [&str; 1] = ["ar"];

struct Catalog {
    bundles: Vec<FluentBundle<FluentResource>>,
}

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    let bundles = SOURCES
        .iter()
        .map(|(tag, source)| {
            bundle(tag, source).unwrap_or_else(|problems| panic!("mail-templates/{tag}.ftl: {}", problems.join("; ")))
        })
        .collect();
    Catalog { bundles }
});

/// Parse one template file into a bundle for its language; every syntax or duplicate-id problem is reported.
fn bundle(tag: &str, source: &str) -> Result<FluentBundle<FluentResource>, Vec<String>> {
    let locale = tag.parse().map_err(|err| vec![format!("language tag {tag:?}: {err}")])?;
    let resource = FluentResource::try_new(source.to_owned())
        .map_err(|(_, errors)| errors.iter().map(|e| format!("{e:?}")).collect::<Vec<_>>())?;
    let mut bundle = FluentBundle::new_concurrent(vec![locale]);
    bundle.set_use_isolating(RIGHT_TO_LEFT.contains(&tag));
    bundle.add_resource(resource).map_err(|errors| errors.iter().map(|e| e.to_string()).collect::<Vec<_>>())?;
    Ok(bundle)
}

/// The arguments of one message: `$name` → text or number (numbers select plural forms).
#[derive(Default)]
pub struct Args<'a>(FluentArgs<'a>);

impl<'a> Args<'a> {
    pub fn new() -> Self {
        Self(FluentArgs::new())
    }

    pub fn text(mut self, name: &'a str, value: impl Into<Cow<'a, str>>) -> Self {
        self.0.set(name, FluentValue::String(value.into()));
        self
    }

    pub fn number(mut self, name: &'a str, value: u64) -> Self {
        self.0.set(name, FluentValue::from(value));
        self
    }
}

/// Message `id` in `language`. A message that is missing or fails to format there (the completeness test keeps
/// that from shipping) is logged and written in English instead, so a mail always goes out.
pub fn text(language: Language, id: &str, args: &Args<'_>) -> String {
    match format(language, id, args) {
        Ok(text) => text,
        Err(problem) => {
            tracing::error!(language = language.tag(), id, %problem, "mail template failed; using English");
            format(Language::ENGLISH, id, args).unwrap_or_else(|problem| panic!("mail-templates/en.ftl: {problem}"))
        }
    }
}

fn format(language: Language, id: &str, args: &Args<'_>) -> Result<String, String> {
    let bundle = &CATALOG.bundles[language.index()];
    let pattern = bundle.get_message(id).and_then(|m| m.value()).ok_or_else(|| format!("no message {id}"))?;
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, Some(&args.0), &mut errors);
    if errors.is_empty() {
        Ok(text.into_owned())
    } else {
        Err(errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::super::language::SHIPPED;
    use super::*;

    /// What a template file declares: each message with its attributes and the variables its value and attributes use.
    #[derive(Debug, Default, PartialEq, Eq)]
    struct Declared {
        messages: BTreeMap<String, Shape>,
    }

    #[derive(Debug, Default, PartialEq, Eq)]
    struct Shape {
        has_value: bool,
        attributes: BTreeSet<String>,
        variables: BTreeSet<String>,
    }

    /// Read a template file's messages, or its syntax errors.
    fn declared(source: &str) -> Result<Declared, Vec<String>> {
        let resource = FluentResource::try_new(source.to_owned())
            .map_err(|(_, errors)| errors.iter().map(|e| format!("{e:?}")).collect::<Vec<_>>())?;
        let mut declared = Declared::default();
        for entry in resource.entries() {
            if let fluent_syntax::ast::Entry::Message(message) = entry {
                let mut shape = Shape { has_value: message.value.is_some(), ..Shape::default() };
                if let Some(value) = &message.value {
                    pattern_variables(value, &mut shape.variables);
                }
                for attribute in &message.attributes {
                    shape.attributes.insert(attribute.id.name.to_owned());
                    pattern_variables(&attribute.value, &mut shape.variables);
                }
                declared.messages.insert(message.id.name.to_owned(), shape);
            }
        }
        Ok(declared)
    }

    fn pattern_variables(pattern: &fluent_syntax::ast::Pattern<&str>, into: &mut BTreeSet<String>) {
        use fluent_syntax::ast::PatternElement;
        for element in &pattern.elements {
            if let PatternElement::Placeable { expression } = element {
                expression_variables(expression, into);
            }
        }
    }

    fn expression_variables(expression: &fluent_syntax::ast::Expression<&str>, into: &mut BTreeSet<String>) {
        use fluent_syntax::ast::Expression;
        match expression {
            Expression::Select { selector, variants } => {
                inline_variables(selector, into);
                for variant in variants {
                    pattern_variables(&variant.value, into);
                }
            }
            Expression::Inline(inline) => inline_variables(inline, into),
        }
    }

    fn inline_variables(inline: &fluent_syntax::ast::InlineExpression<&str>, into: &mut BTreeSet<String>) {
        use fluent_syntax::ast::InlineExpression;
        match inline {
            InlineExpression::VariableReference { id } => {
                into.insert(id.name.to_owned());
            }
            InlineExpression::FunctionReference { arguments, .. } => {
                for argument in arguments.positional.iter().chain(arguments.named.iter().map(|named| &named.value)) {
                    inline_variables(argument, into);
                }
            }
            InlineExpression::TermReference { arguments: Some(arguments), .. } => {
                for argument in arguments.positional.iter().chain(arguments.named.iter().map(|named| &named.value)) {
                    inline_variables(argument, into);
                }
            }
            InlineExpression::Placeable { expression } => expression_variables(expression, into),
            InlineExpression::StringLiteral { .. }
            | InlineExpression::NumberLiteral { .. }
            | InlineExpression::MessageReference { .. }
            | InlineExpression::TermReference { arguments: None, .. } => {}
        }
    }

    /// How a translation differs from the English reference: messages or attributes it lacks (or has beyond
    /// English's), values it lacks, and variables English does not pass. Empty when it is complete.
    fn differences(reference: &Declared, translation: &Declared) -> Vec<String> {
        let mut problems = Vec::new();
        for (id, english) in &reference.messages {
            let Some(shape) = translation.messages.get(id) else {
                problems.push(format!("missing message {id}"));
                continue;
            };
            if english.has_value && !shape.has_value {
                problems.push(format!("{id} has no value"));
            }
            for attribute in english.attributes.difference(&shape.attributes) {
                problems.push(format!("{id} lacks attribute .{attribute}"));
            }
            for attribute in shape.attributes.difference(&english.attributes) {
                problems.push(format!("{id} has attribute .{attribute}, which English lacks"));
            }
            for variable in shape.variables.difference(&english.variables) {
                problems.push(format!("{id} uses ${variable}, which English does not pass"));
            }
        }
        for id in translation.messages.keys().filter(|id| !reference.messages.contains_key(*id)) {
            problems.push(format!("message {id} is not in English"));
        }
        problems
    }

    #[test]
    fn sources_are_in_the_order_of_the_shipped_languages() {
        let tags = SOURCES.iter().map(|(tag, _)| *tag).collect::<Vec<_>>();
        assert_eq!(tags, SHIPPED);
        assert_eq!(Language::all().count(), CATALOG.bundles.len());
    }

    #[test]
    fn every_template_file_has_every_message_of_english_and_no_variable_english_lacks() {
        let english = declared(SOURCES[0].1).expect("en.ftl parses");
        assert!(english.messages.len() > 30, "the reference is the real file");
        for (tag, source) in &SOURCES[1..] {
            let translation = declared(source).unwrap_or_else(|errors| panic!("{tag}.ftl: {errors:?}"));
            let problems = differences(&english, &translation);
            assert!(problems.is_empty(), "mail-templates/{tag}.ftl: {problems:#?}");
        }
    }

    #[test]
    fn the_completeness_check_finds_what_a_broken_file_lacks() {
        let english = declared("a = A { $app }\n    .title = T\nb = B { $count }\nc = C\n").expect("reference parses");
        let broken =
            declared("a = A { $app } { $secret }\nb = { $count -> \n    [one] x\n   *[other] y { $n }\n}\nz = Z\n")
                .expect("translation parses");
        let problems = differences(&english, &broken);
        assert_eq!(
            problems,
            [
                "a lacks attribute .title",
                "a uses $secret, which English does not pass",
                "b uses $n, which English does not pass",
                "missing message c",
                "message z is not in English",
            ],
            "{problems:#?}"
        );
        assert!(declared("a = { $app\n").is_err(), "a syntax error is reported");
        assert!(bundle("xx", "a = A\na = again\n").is_err(), "a duplicate message is reported");
    }

    #[test]
    fn every_message_formats_in_every_language_with_englishs_variables() {
        let english = declared(SOURCES[0].1).unwrap();
        for language in Language::all() {
            for (id, shape) in &english.messages {
                let mut args = Args::new();
                for variable in &shape.variables {
                    args = match variable.as_str() {
                        "count" => args.number("count", 3),
                        name => args.text(name, "x"),
                    };
                }
                let text = format(language, id, &args).unwrap_or_else(|e| panic!("{}: {id}: {e}", language.tag()));
                assert!(!text.trim().is_empty(), "{}: {id} is empty", language.tag());
            }
        }
    }

    /// Each select on `$count` offers a form for every CLDR plural category the language has for whole numbers
    /// (Polish: one, few, many; Arabic: zero, one, two, few, many, other), so no number falls into a default
    /// variant that is the wrong form.
    #[test]
    fn plural_selects_cover_every_cldr_category_of_their_language() {
        use intl_pluralrules::{PluralRuleType, PluralRules};
        for (tag, source) in &SOURCES {
            let locale: unic_langid::LanguageIdentifier = tag.parse().unwrap();
            let lookup: unic_langid::LanguageIdentifier = locale.language.as_str().parse().unwrap();
            let rules = PluralRules::create(lookup, PluralRuleType::CARDINAL).unwrap();
            let needed = (0..=1000u32).map(|n| format!("{:?}", rules.select(n).unwrap()).to_lowercase());
            let needed = needed.collect::<BTreeSet<_>>();
            let resource = FluentResource::try_new((*source).to_owned()).unwrap();
            for entry in resource.entries() {
                let fluent_syntax::ast::Entry::Message(message) = entry else { continue };
                for key_set in count_selects(message.value.as_ref()) {
                    let missing = needed.difference(&key_set).collect::<Vec<_>>();
                    assert!(missing.is_empty(), "{tag}.ftl {}: no form for {missing:?}", message.id.name);
                }
            }
        }
    }

    /// The variant keys of each select on `$count` in a message value.
    fn count_selects(pattern: Option<&fluent_syntax::ast::Pattern<&str>>) -> Vec<BTreeSet<String>> {
        use fluent_syntax::ast::{Expression, InlineExpression, PatternElement, VariantKey};
        let mut found = Vec::new();
        for element in pattern.map(|p| p.elements.as_slice()).unwrap_or_default() {
            let PatternElement::Placeable { expression: Expression::Select { selector, variants } } = element else {
                continue;
            };
            if matches!(selector, InlineExpression::VariableReference { id } if id.name == "count") {
                found.push(
                    variants
                        .iter()
                        .filter_map(|v| match &v.key {
                            VariantKey::Identifier { name } => Some((*name).to_owned()),
                            VariantKey::NumberLiteral { .. } => None,
                        })
                        .collect(),
                );
            }
        }
        found
    }
}
