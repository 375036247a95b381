"""What each kind of problem with a field says: beside the field (a form, a line of a YAML file), or
naming it (an API answer, an error page), and its API error code."""

from __future__ import annotations

from quartier.i18n import N_

BESIDE = {
    "required": N_("Ce champ est obligatoire."),
    "text": N_("Ce champ doit être du texte."),
    "too_long": N_("Ce champ dépasse {max} caractères."),
    "pattern": N_("Ce champ n'a pas la forme attendue."),
    "integer": N_("Ce champ doit être un nombre entier entre {min} et {max}."),
    "id": N_("Ce champ doit être un numéro."),
    "number": N_("Ce champ doit être un nombre entre {min} et {max}."),
    "boolean": N_("Ce champ doit valoir oui ou non."),
    "choice": N_("Valeur inconnue ; valeurs possibles : {values}."),
    "date": N_("Date attendue au format AAAA-MM-JJ, entre les années {min} et {max}."),
    "time": N_("Heure attendue au format HH:MM."),
    "datetime": N_("Date et heure attendues au format AAAA-MM-JJTHH:MM, entre les années {min} et {max}."),
    "week": N_("Semaine attendue au format AAAA-Sss, par exemple 2025-W10."),
    "list": N_("Ce champ doit être une liste de textes."),
    "ids": N_("Ce champ doit être une liste de numéros."),
    "numbers": N_("Ce champ doit être une liste de nombres entre {min} et {max}."),
    "too_many": N_("Liste trop longue : {n} éléments au plus."),
    "object": N_("Ce champ doit regrouper des champs nommés."),
}

NAMING = {
    "required": N_("Le champ « {field} » est obligatoire."),
    "text": N_("Le champ « {field} » doit être du texte."),
    "too_long": N_("Le champ « {field} » dépasse {max} caractères."),
    "pattern": N_("Le champ « {field} » n'a pas la forme attendue."),
    "integer": N_("Le champ « {field} » doit être un nombre entier entre {min} et {max}."),
    "id": N_("Le champ « {field} » doit être un numéro."),
    "number": N_("Le champ « {field} » doit être un nombre entre {min} et {max}."),
    "boolean": N_("Le champ « {field} » vaut true ou false."),
    "choice": N_("Le champ « {field} » a une valeur inconnue ; valeurs possibles : {values}."),
    "date": N_("Le champ « {field} » attend une date au format AAAA-MM-JJ, entre les années {min} et {max}."),
    "time": N_("Le champ « {field} » attend une heure au format HH:MM."),
    "datetime": N_("Le champ « {field} » attend une date et une heure (AAAA-MM-JJTHH:MM), années {min} à {max}."),
    "week": N_("Le champ « {field} » attend une semaine au format AAAA-Sss, par exemple 2025-W10."),
    "list": N_("Le champ « {field} » doit être une liste de textes."),
    "ids": N_("Le champ « {field} » doit être une liste de numéros."),
    "numbers": N_("Le champ « {field} » doit être une liste de nombres entre {min} et {max}."),
    "too_many": N_("Le champ « {field} » a {n} éléments au plus."),
    "object": N_("Le champ « {field} » doit être un objet JSON."),
}

# The API's error code of each kind ("invalid_field" for the others).
CODES = {
    "required": "missing_field",
    "too_long": "too_long",
    "too_many": "too_long",
    "date": "invalid_date",
    "datetime": "invalid_date",
    "time": "invalid_time",
    "week": "invalid_week",
}
