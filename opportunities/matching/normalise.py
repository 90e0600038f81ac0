"""Normalisation of company names into comparable keys (legal forms, accents, punctuation, qualifiers)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .similarity import within_one_edit
from .vocab import (
    ACRONYM_STOPWORDS,
    CANONICAL_WORDS,
    CJK_LEGAL_FORMS,
    COUNTRY_ALIASES,
    FUZZY_LEGAL_WORDS,
    GENERIC_WORDS,
    INNER_LEGAL_FORMS,
    LEADING_LEGAL_FORMS,
    LEGAL_FORMS,
    MAX_LEGAL_FORM_LEN,
    QUALIFIER_WORDS,
)

_FOLD = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "ı": "i",
     "þ": "th", "ð": "d"}
)
_APOSTROPHES = re.compile(r"['’‘`´ʼ]")
_AMPERSAND = re.compile(r"\s*[&+＆]\s*")
_NON_WORD = re.compile(r"[^\w]+|_+")
_BRACKETS = re.compile(r"\s*[(\[（{][^()\[\]（）{}]*[)\]）}]\s*")
_DASH_QUALIFIER = re.compile(r"\s+[-–—|]\s+")
_CJK = r"\u3040-\u30ff\u3200-\u32ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_HAS_CJK = re.compile(f"[{_CJK}]")
_WORD_CHAR = re.compile(r"[^\W_]")
_SCRIPT_BOUNDARY = re.compile(rf"(?<=[{_CJK}])(?=[^{_CJK}\s])|(?<=[^{_CJK}\s])(?=[{_CJK}])")
_PLACE_PHRASES = frozenset(tuple(alias.split()) for aliases in COUNTRY_ALIASES.values() for alias in aliases)
_MAX_PLACE_LEN = max(len(phrase) for phrase in _PLACE_PHRASES)

# Bounds on hostile input, whoever calls (forms, API, imports, the CLI): the regular expressions and
# the fuzzy look-ups below are quadratic in the length of a text or word. Real names are far shorter
# (the dev set's longest name has 307 characters, 44 words, 31 letters in a word).
#: Characters of a name (or city) that are read; the rest is ignored.
MAX_NAME_CHARS = 1000
#: Characters of a word that are kept; a longer word is cut.
MAX_WORD_LEN = 64
#: Words of a name that are kept (the first ones).
MAX_WORDS = 64


@dataclass(frozen=True, slots=True)
class NameKey:
    """A company name reduced to comparable keys."""

    full: str  # every word, cleaned ("the jm smucker company")
    tokens: tuple[str, ...]  # words of the base name ("jm", "smucker")
    base: str  # name without legal forms, "The" or qualifiers ("jm smucker")
    compact: str  # base without spaces ("jmsmucker"), so "Coca Cola" meets "Coca-Cola" and "CocaCola"
    acronym: str  # initials of the significant words ("js"), "" for one word
    qualifiers: tuple[str, ...] = ()  # words set apart as a site or country ("germany" in "Siemens (Germany)")
    place_tail: int = 0  # trailing base words naming a country ("... United States"), weighed lightly


def fold_text(value: str) -> str:
    """Lower-case, fold accents and width variants to plain letters ("Dürr" -> "duerr")."""
    if value.isascii():
        return value.lower()
    text = unicodedata.normalize("NFKC", value).casefold().translate(_FOLD)
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def _deletion_map(words: frozenset[str]) -> dict[str, str]:
    """Map words and their one-deletion variants to the word, leaving out variants that clash."""
    found: dict[str, str | None] = {}
    for word in words:
        for variant in {word[:i] + word[i + 1:] for i in range(len(word))}:
            found[variant] = word if found.get(variant, word) == word else None
    found.update((word, word) for word in words)
    return {variant: word for variant, word in found.items() if word is not None}


_GENERIC_VARIANTS = _deletion_map(frozenset(w for w in GENERIC_WORDS | CANONICAL_WORDS.keys() if len(w) >= 7))
_LEGAL_VARIANTS = _deletion_map(FUZZY_LEGAL_WORDS)


def _fuzzy_lookup(token: str, variants: dict[str, str]) -> str | None:
    """Find the word a token spells with one typo, never by adding a letter at the end ("Generali")."""
    if len(token) > MAX_WORD_LEN:
        return None
    for variant in (token, *(token[:i] + token[i + 1:] for i in range(len(token)))):
        word = variants.get(variant)
        if word is not None and word[0] == token[0] and token[:-1] != word and within_one_edit(token, word):
            return word
    return None


def canonical_word(token: str) -> str:
    """Return the usual spelling of a generic word, fixing one typo in long ones ("Bancoorp" -> "bank")."""
    if token in CANONICAL_WORDS:
        return CANONICAL_WORDS[token]
    if len(token) < 7 or token in GENERIC_WORDS:
        return token
    word = _fuzzy_lookup(token, _GENERIC_VARIANTS)
    return CANONICAL_WORDS.get(word, word) if word else token


def _is_fuzzy_legal(token: str) -> bool:
    """Tell whether a token is a misspelt long legal form ("Coorporation", "Incorrporated")."""
    return len(token) >= 7 and _fuzzy_lookup(token, _LEGAL_VARIANTS) is not None


def _strip_cjk_forms(text: str) -> str:
    """Drop legal forms written in CJK scripts (株式会社, 有限公司...) at either end of the name."""
    text = text.strip()
    if not _HAS_CJK.search(text):
        return text
    changed = True
    while changed:
        changed = False
        for form in CJK_LEGAL_FORMS:
            if text.endswith(form) and len(text) > len(form):
                text, changed = text[: -len(form)].strip(), True
            elif text.startswith(form) and len(text) > len(form):
                text, changed = text[len(form):].strip(), True
    return text


def _tokenise(text: str) -> list[str]:
    """Split folded text into words: "&" is "and", runs of single letters join ("j b hunt" -> "jb hunt")."""
    text = _APOSTROPHES.sub("", text)
    text = _AMPERSAND.sub(" and ", text)
    if _HAS_CJK.search(text):
        text = _SCRIPT_BOUNDARY.sub(" ", text)
    tokens: list[str] = []
    run: list[str] = []
    for tok in [*_NON_WORD.split(text), ""]:
        if len(tok) == 1 and tok.isascii() and tok.isalpha():
            run.append(tok)
            continue
        if run:
            tokens.append("".join(run)[:MAX_WORD_LEN])
            run = []
        if tok:
            tokens.append(tok[:MAX_WORD_LEN])
        if len(tokens) >= MAX_WORDS:
            return tokens[:MAX_WORDS]
    return tokens


def _strip_trailing_legal(tokens: list[str]) -> bool:
    """Remove one legal form, a dangling "and"/"the" or a share-class letter from the end."""
    for size in range(min(MAX_LEGAL_FORM_LEN, len(tokens) - 1), 0, -1):
        if tuple(tokens[-size:]) in LEGAL_FORMS or (size == 1 and _is_fuzzy_legal(tokens[-1])):
            del tokens[-size:]
            return True
    if len(tokens) < 2:
        return False
    last, before = tokens[-1], tokens[-2]
    share_class = len(last) == 1 and last.isalpha() and len(before) > 1 and before != "and"
    if last in ("and", "the") or share_class:
        tokens.pop()
        return True
    return False


def _strip_trailing_qualifier(tokens: list[str], city: tuple[str, ...]) -> bool:
    """Remove a trailing site qualifier: the record's city ("... Tampa") or "HQ", "Head Office"..."""
    if city and len(tokens) > len(city) and tuple(tokens[-len(city):]) == city:
        del tokens[-len(city):]
        return True
    if len(tokens) > 1 and tokens[-1] in QUALIFIER_WORDS:
        tokens.pop()
        return True
    return False


def _base_tokens(tokens: list[str], city: tuple[str, ...]) -> list[str]:
    """Remove legal forms, qualifiers and a leading "The"; keep the tokens if nothing would remain."""
    out = list(tokens)
    while _strip_trailing_legal(out) or _strip_trailing_qualifier(out, city):
        pass
    while len(out) > 1 and (out[0] == "the" or out[0] in LEADING_LEGAL_FORMS):
        out.pop(0)
    inner = [t for i, t in enumerate(out) if i == 0 or t not in INNER_LEGAL_FORMS]
    if inner != out:
        out = inner
        while _strip_trailing_legal(out) or _strip_trailing_qualifier(out, city):
            pass
    return [canonical_word(t) for t in out or tokens]


def _place_tail(tokens: list[str]) -> int:
    """Count the trailing tokens that name a country ("Werner Enterprises United States" -> 2)."""
    for size in range(min(_MAX_PLACE_LEN, len(tokens) - 1), 0, -1):
        if tuple(tokens[-size:]) in _PLACE_PHRASES:
            return size
    return 0


def make_acronym(tokens: tuple[str, ...] | list[str]) -> str:
    """Return the initials of the significant tokens ("alpha and omega semiconductors" -> "aos"), or ""."""
    words = [t for t in tokens if t not in ACRONYM_STOPWORDS]
    initials = "".join(t[0] for t in words)
    return initials if len(words) >= 2 and initials.isascii() and initials.isalnum() else ""


def _split_qualifiers(text: str) -> tuple[str, list[str]]:
    """Set apart bracketed and dash-separated qualifiers ("Siemens AG (Germany)", "Acme Corp - US")."""
    qualifiers: list[str] = []
    core = _BRACKETS.sub(" ", text).strip()
    if core != text and _WORD_CHAR.search(core):  # a name that is all brackets keeps them as its name
        qualifiers.extend(_tokenise(fold_text(" ".join(_BRACKETS.findall(text)))))
    else:
        core = text
    parts = _DASH_QUALIFIER.split(core, maxsplit=1)
    if len(parts) == 2 and parts[0].strip():
        tail = _tokenise(fold_text(parts[1]))
        if tail and not any((t,) in LEGAL_FORMS for t in tail):  # "Mærsk A/S" in "A.P. Møller - Mærsk A/S" is name
            core = parts[0]
            qualifiers.extend(tail)
    return core, qualifiers


def normalise_name(name: str, city: str | None = None) -> NameKey:
    """Reduce a company name to a NameKey; a given city is also removed when it trails the name.

    Only the first MAX_NAME_CHARS characters, MAX_WORDS words and MAX_WORD_LEN letters of a word count.
    """
    core, qualifiers = _split_qualifiers(_strip_cjk_forms((name or "")[:MAX_NAME_CHARS]))
    full_tokens = _tokenise(fold_text(_strip_cjk_forms(core)))
    city_tokens = tuple(_tokenise(fold_text(city[:MAX_NAME_CHARS]))) if city else ()
    base_tokens = _base_tokens(full_tokens, city_tokens)
    base = " ".join(base_tokens)
    return NameKey(
        full=" ".join(full_tokens),
        tokens=tuple(base_tokens),
        base=base,
        compact=base.replace(" ", ""),
        acronym=make_acronym(base_tokens),
        qualifiers=tuple(qualifiers),
        place_tail=_place_tail(base_tokens),
    )
