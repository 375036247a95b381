"""The data·inclusion v1 vocabularies Quartier speaks: thématiques and publics, by name.

Both directions use them: the open-data export (events.datainclusion) describes our sessions with
them, and the referral directory (referral) reads third-party services in the same words and links
each need of its catalogue to them. The values are the official ones (the `data-inclusion-schema`
package, `data_inclusion.schema.v1.Thematique` and `Public`; a test checks every one against it).
"""

from __future__ import annotations

from typing import Any

# Thématiques, as the v1 schema spells them (category "--" thématique).
ONLINE_SERVICES = "numerique--acceder-a-des-services-en-ligne"
CONNECTION = "numerique--acceder-a-une-connexion-internet"
EQUIPMENT = "numerique--acquerir-un-equipement"
DIGITAL_BASICS = "numerique--maitriser-les-fondamentaux-du-numerique"
PROCEDURES = "difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives"
RIGHTS = "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits"
CITIZENSHIP = "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-a-la-citoyennete"
JOB_OFFERS = "trouver-un-emploi--repondre-a-des-offres-demploi"
JOB_APPLICATIONS = "trouver-un-emploi--faire-des-candidatures-spontanees"
PARENTING = "famille--soutien-a-la-parentalite-et-a-leducation"
FRENCH = "lecture-ecriture-calcul--maitriser-le-francais"

# The programme's axes in thématiques: the numérique category has four; access to rights is
# "difficultés administratives".
BY_AXIS: dict[str, list[str]] = {
    "acces-libre": [CONNECTION, ONLINE_SERVICES],
    "accompagnement": [DIGITAL_BASICS],
    "droits": [ONLINE_SERVICES, PROCEDURES, RIGHTS],
}
# A session's audience may add a thématique of its own.
BY_AUDIENCE: dict[str, list[str]] = {
    "demandeurs d'emploi": [JOB_OFFERS],
    "familles": [PARENTING],
}
# Our audiences in v1 publics.
PUBLICS: dict[str, str] = {
    "seniors": "seniors",
    "jeunes": "jeunes",
    "familles": "familles",
    "personnes étrangères": "personnes-exilees",
    "demandeurs d'emploi": "demandeurs-emploi",
    "étudiants": "etudiants",
    "femmes": "femmes",
    "personnes en situation de handicap": "personnes-en-situation-de-handicap",
}
OPEN_TO_ALL = {"tous publics", "tout public", "tous-publics"}


def publics(audience: list[str]) -> list[str]:
    """v1 publics: `tous-publics` alone when the session is open to all (or says nothing), else its publics.

    A session "for everyone, seniors especially" is open to all: v1 reads `publics` as who is
    eligible, so the emphasis goes to `publics_precisions`, not next to `tous-publics`.
    """
    words = {a.lower() for a in audience}
    specific = sorted({PUBLICS[a] for a in words if a in PUBLICS})
    if words & OPEN_TO_ALL or not specific:
        return ["tous-publics"]
    return specific


def of_session(s: dict[str, Any]) -> list[str]:
    """A session's thématiques: its axis's, then its audience's, each once."""
    themes = BY_AXIS[s["axis"]] + [t for a in s["audience"] for t in BY_AUDIENCE.get(a.lower(), [])]
    return list(dict.fromkeys(themes))
