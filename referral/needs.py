"""The needs catalogue: what residents come for, in their words (FALC French; English from the catalogue).

Each need names the programme's axis it belongs to and the data·inclusion v1 thématiques that
describe it, so it links both ways with the open data: a third-party service imported with one of
those thématiques serves the need, and our own sessions are exported with theirs. A session serves
a need by default when its kind is one the need lists and its title or description says one of the
need's words; staff add or remove what the defaults get wrong (referral.store). `base` names the
items of a site's common base that serve it (issue 19: a free-access computer, Wi-Fi, a printer),
and `place_kinds` the kinds of third-party places that serve it whatever their thématiques (a
library prints and lends a computer).

The catalogue is code, not data: its texts go through the translation layer like every other
label, and its ids are stable (the API, the slips' counts and the annual report use them).
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

from events import thematiques as th
from quartier.i18n import N_
from quartier.i18n import gettext as _

# Items of a site's common base (issue 19) a need may be served by.
BASE_ITEMS = ("computer", "wifi", "printer", "scanner", "caf-terminal")


@dataclass(frozen=True)
class Need:
    id: str
    label: str  # msgid, FALC French
    axis: str
    thematiques: tuple[str, ...]
    documents: tuple[str, ...]  # msgids: what to bring
    kinds: tuple[str, ...] = ()  # session kinds that may serve it
    words: tuple[str, ...] = ()  # said in a serving session's title (lower case, no accents)
    place_kinds: tuple[str, ...] = ()
    base: tuple[str, ...] = ()
    search: tuple[str, ...] = ()  # more words people type in the search box

    @property
    def title(self) -> str:
        """The label in the reader's language."""
        return _(self.label)


DOCS_PHONE = N_("Votre téléphone portable (pour recevoir un code)")
DOCS_EMAIL = N_("Votre adresse e-mail et son mot de passe")

NEEDS: tuple[Need, ...] = (
    Need(
        "caf",
        N_("Faire une demande à la CAF sur Internet"),
        "droits",
        (th.RIGHTS, th.ONLINE_SERVICES),
        (
            N_("Votre numéro d'allocataire CAF"),
            N_("Votre mot de passe CAF, si vous l'avez"),
            N_("Vos derniers revenus (bulletins de salaire, avis d'impôt)"),
            N_("Votre RIB"),
            DOCS_PHONE,
        ),
        kinds=("permanence",),
        words=("caf", "allocation", "acces aux droits"),
        place_kinds=("caf", "france-services"),
        base=("caf-terminal", "computer"),
        search=("apl", "rsa", "prime d'activite", "allocations familiales", "aide au logement"),
    ),
    Need(
        "titre-de-sejour",
        N_("Renouveler un titre de séjour"),
        "droits",
        (th.CITIZENSHIP, th.PROCEDURES),
        (
            N_("Votre titre de séjour actuel"),
            N_("Votre passeport"),
            N_("Un justificatif de domicile de moins de 6 mois"),
            N_("Une photo d'identité récente, avec son code e-photo"),
            DOCS_EMAIL,
            DOCS_PHONE,
        ),
        kinds=("permanence",),
        words=("sejour", "etranger", "anef", "titres", "acces aux droits"),
        place_kinds=("france-services",),
        search=("carte de sejour", "prefecture", "visa", "anef", "residence permit"),
    ),
    Need(
        "france-connect",
        N_("Créer un compte France Connect"),
        "droits",
        (th.ONLINE_SERVICES, th.PROCEDURES),
        (
            N_("Vos identifiants impots.gouv.fr, ameli.fr ou La Poste (l'un des trois)"),
            DOCS_EMAIL,
            DOCS_PHONE,
        ),
        kinds=("permanence",),
        words=("france connect", "franceconnect", "identite numerique", "demarches", "acces aux droits"),
        place_kinds=("france-services",),
        search=("identite numerique", "connexion", "mot de passe"),
    ),
    Need(
        "impots",
        N_("Déclarer ses impôts sur Internet"),
        "droits",
        (th.PROCEDURES, th.ONLINE_SERVICES),
        (
            N_("Votre numéro fiscal (il est sur votre dernier avis d'impôt)"),
            N_("Votre dernier avis d'impôt"),
            N_("Vos revenus de l'année (bulletins de salaire, attestations)"),
        ),
        kinds=("permanence",),
        words=("impot", "fiscal"),
        place_kinds=("france-services",),
        search=("declaration", "revenus", "taxe"),
    ),
    Need(
        "ameli",
        N_("Ouvrir un compte Ameli (Assurance maladie)"),
        "droits",
        (th.RIGHTS, th.ONLINE_SERVICES),
        (N_("Votre carte Vitale"), N_("Votre RIB"), DOCS_EMAIL),
        kinds=("permanence",),
        words=("cpam", "ameli", "sante"),
        place_kinds=("france-services",),
        search=("carte vitale", "securite sociale", "assurance maladie", "remboursement"),
    ),
    Need(
        "emploi",
        N_("Chercher un emploi sur Internet"),
        "accompagnement",
        (th.JOB_OFFERS, th.JOB_APPLICATIONS),
        (
            N_("Votre identifiant France Travail et son mot de passe"),
            N_("Votre CV sur une clé USB ou dans vos e-mails, si vous en avez un"),
        ),
        kinds=("permanence", "atelier"),
        words=("emploi", "cv", "candidature", "france travail"),
        search=("travail", "job", "pole emploi", "france travail", "offre"),
    ),
    Need(
        "email",
        N_("Créer une adresse e-mail"),
        "accompagnement",
        (th.DIGITAL_BASICS,),
        (DOCS_PHONE, N_("Une idée de mot de passe facile à retenir pour vous")),
        kinds=("atelier", "permanence"),
        words=("mail", "courriel", "messagerie"),
        place_kinds=("epn",),
        search=("courriel", "mail", "gmail", "boite aux lettres"),
    ),
    Need(
        "smartphone",
        N_("Apprendre à utiliser un smartphone"),
        "accompagnement",
        (th.DIGITAL_BASICS,),
        (
            N_("Votre smartphone, chargé"),
            N_("Son code de déverrouillage"),
            N_("Le mot de passe de votre compte Google ou Apple, si vous l'avez"),
        ),
        kinds=("atelier", "permanence"),
        words=("smartphone", "telephone", "tablette"),
        search=("portable", "telephone", "applications", "whatsapp"),
    ),
    Need(
        "debuter",
        N_("Débuter sur un ordinateur"),
        "accompagnement",
        (th.DIGITAL_BASICS,),
        (N_("Rien d'autre : un ordinateur vous est prêté"), N_("De quoi noter")),
        kinds=("atelier", "permanence"),
        words=("debutant", "initiation", "ordinateur", "premiers pas"),
        place_kinds=("epn", "library"),
        search=("clavier", "souris", "informatique", "internet"),
    ),
    Need(
        "ecole",
        N_("Suivre l'école de son enfant sur Internet"),
        "accompagnement",
        (th.PARENTING,),
        (N_("Les identifiants donnés par l'école (ENT, Pronote)"), DOCS_PHONE),
        kinds=("atelier", "permanence"),
        words=("parent", "famille", "ecole", "scolarite"),
        search=("pronote", "ent", "college", "lycee", "cantine"),
    ),
    Need(
        "imprimer",
        N_("Imprimer ou scanner un document"),
        "acces-libre",
        (),
        (
            N_("Le document sur une clé USB, dans vos e-mails ou sur votre téléphone"),
            N_("Un peu de monnaie : certains lieux font payer les impressions"),
        ),
        kinds=("acces-libre",),
        place_kinds=("library", "epn", "france-services"),
        base=("printer", "scanner"),
        search=("imprimante", "scanner", "photocopie", "copie", "impression"),
    ),
    Need(
        "acces-libre",
        N_("Utiliser un ordinateur ou le Wi-Fi gratuitement"),
        "acces-libre",
        (),
        (N_("Vos mots de passe, si vous allez sur vos comptes"),),
        kinds=("acces-libre",),
        place_kinds=("library", "epn"),
        base=("computer", "wifi"),
        search=("wifi", "wi-fi", "internet gratuit", "ordinateur"),
    ),
    Need(
        "internet-maison",
        N_("Avoir Internet à la maison"),
        "acces-libre",
        (th.CONNECTION,),
        (
            N_("Une pièce d'identité"),
            N_("Un RIB"),
            N_("Un justificatif de vos aides (CAF, RSA…), pour les offres solidaires"),
        ),
        search=("box", "forfait", "abonnement", "fibre", "carte sim", "tarif social"),
    ),
    Need(
        "ordinateur",
        N_("Avoir un ordinateur pas cher"),
        "acces-libre",
        (th.EQUIPMENT,),
        (N_("Une pièce d'identité"), N_("Un justificatif de vos revenus ou de vos aides (RSA, AAH…)")),
        search=("pc", "portable", "reconditionne", "tablette", "equipement", "materiel"),
    ),
)

BY_ID: dict[str, Need] = {n.id: n for n in NEEDS}


def get(need_id: str) -> Need | None:
    return BY_ID.get(need_id)


def fold(text: str) -> str:
    """Lower case without accents or apostrophes' variants, for matching words people type or write."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'")).encode("ascii", "ignore").decode()
    return " ".join(text.lower().split())


def says(text: str, words: tuple[str, ...]) -> bool:
    """Whether a title or a description says one of the words."""
    folded = fold(text)
    return any(w in folded for w in words)


STOP_WORDS = {"un", "une", "le", "la", "les", "de", "du", "des", "a", "au", "sur", "ou", "et", "mon", "ma", "mes"}
STOP_WORDS |= {"son", "sa", "ses", "en", "pour", "je", "veux", "faire", "the", "to", "my", "an", "on", "for", "of"}


def _tokens(text: str) -> list[str]:
    return [w for w in fold(text).replace("-", " ").replace("'", " ").split() if w not in STOP_WORDS]


def search(query: str) -> list[Need]:
    """The needs a search box query points to, best first.

    A query word counts twice when it is a whole word of the need's label (in French or in the
    reader's language) or of its search words, once when it begins one (three letters at least).
    """
    words = _tokens(query)
    if not words:
        return []
    scored = []
    for need in NEEDS:
        vocabulary = set(_tokens(" ".join((need.label, need.title, need.id, *need.search, *need.words))))
        score = 0
        for w in words:
            if w in vocabulary:
                score += 2
            elif len(w) >= 3 and any(v.startswith(w) for v in vocabulary):
                score += 1
        if score:
            scored.append((score, -NEEDS.index(need), need))
    scored.sort(key=lambda t: t[:2], reverse=True)
    return [t[2] for t in scored]


def default_session_match(need: Need, session: dict) -> bool:
    """A session serves a need by default: a kind the need lists, and (if the need has words) one said."""
    if session["kind"] not in need.kinds:
        return False
    return not need.words or says(f"{session['title']} {session.get('description', '')}", need.words)


def default_place_match(need: Need, place: dict) -> bool:
    """A third-party place serves a need by default: a thématique of the need, or a kind it lists."""
    return bool(set(need.thematiques) & set(place["thematiques"])) or place["kind"] in need.place_kinds


@functools.cache
def official_thematiques() -> frozenset[str]:
    """Every data·inclusion v1 thématique, from the official package (loaded on first use only)."""
    from data_inclusion.schema.v1 import Thematique

    return frozenset(t.value for t in Thematique)


def of_thematiques(values: list[str]) -> list[Need]:
    """The needs described by any of these thématiques (the open data's way in)."""
    wanted = set(values)
    return [n for n in NEEDS if wanted & set(n.thematiques)]
