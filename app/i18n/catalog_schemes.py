"""The message catalogue of scheme operations (schemes, members, employers,
documents, imports, duplicates): one entry per error code, a text per locale."""

SCHEME_MESSAGES: dict[str, dict[str, str]] = {
    "schemes.INVALID_SCHEME_CODE": {
        "fr": "Le code « {code} » doit compter de 2 à 32 lettres majuscules, chiffres, tirets ou soulignés.",
        "en": "The code “{code}” must be 2 to 32 capital letters, digits, hyphens or underscores.",
    },
    "schemes.SCHEME_CODE_TAKEN": {
        "fr": "Un régime porte déjà le code « {code} ».",
        "en": "A scheme already has the code “{code}”.",
    },
    "schemes.INVALID_SCHEME_NAME": {
        "fr": "Le nom du régime doit compter de 2 à 200 caractères.",
        "en": "The scheme name must be 2 to 200 characters long.",
    },
    "schemes.CATEGORIES_REQUIRED": {
        "fr": "Un régime doit admettre au moins une catégorie de membres.",
        "en": "A scheme must admit at least one member category.",
    },
    "schemes.RULE_VERSION_NOT_FOUND": {
        "fr": "Version des règles introuvable.",
        "en": "Rule version not found.",
    },
    "schemes.SCHEME_NOT_FOUND": {
        "fr": "Régime introuvable.",
        "en": "Scheme not found.",
    },
    "schemes.RATE_OUT_OF_RANGE": {
        "fr": "Le taux doit être compris entre 0 et 10 000 points de base (0 à 100 %), et non {rate}.",
        "en": "The rate must be between 0 and 10,000 basis points (0 to 100 %), not {rate}.",
    },
    "schemes.AMOUNT_NOT_POSITIVE": {
        "fr": "Le montant doit être positif, et non {amount}.",
        "en": "The amount must be positive, not {amount}.",
    },
    "schemes.NEGATIVE_NUMBER": {
        "fr": "La valeur ne peut pas être négative ({value}).",
        "en": "The value cannot be negative ({value}).",
    },
    "schemes.AMOUNT_REQUIRED": {
        "fr": "Une cotisation forfaitaire ({basis}) demande un montant.",
        "en": "A flat contribution ({basis}) needs an amount.",
    },
    "schemes.RATE_REQUIRED": {
        "fr": "Une cotisation proportionnelle ({basis}) demande un taux.",
        "en": "A rate contribution ({basis}) needs a rate.",
    },
    "schemes.NOT_APPLICABLE": {
        "fr": "Cette valeur ne s'applique pas à une cotisation {basis} : laissez-la vide.",
        "en": "This value does not apply to a {basis} contribution: leave it empty.",
    },
    "schemes.FLOOR_ABOVE_CEILING": {
        "fr": "Le plancher ({floor}) dépasse le plafond ({ceiling}).",
        "en": "The floor ({floor}) is above the ceiling ({ceiling}).",
    },
    "schemes.SHARES_NOT_WHOLE": {
        "fr": "Les parts des payeurs font {total} points de base au lieu de 10 000 (100 %).",
        "en": "The payers' shares sum to {total} basis points instead of 10,000 (100 %).",
    },
    "schemes.STATE_SHARE_OF_SALARY": {
        "fr": "Une cotisation sur les salaires est versée par l'employeur : l'État n'y a pas de part.",
        "en": "A contribution on salaries is paid by the employer: the State has no share of it.",
    },
    "schemes.EMPLOYER_SHARE_WITHOUT_SALARY": {
        "fr": "Une part employeur n'existe que pour une cotisation sur les salaires, que l'employeur déclare.",
        "en": "Only a contribution on salaries, which the employer declares, has an employer's share.",
    },
    "schemes.DUPLICATE_PAYER": {
        "fr": "Le payeur {payer} a déjà une part.",
        "en": "The payer {payer} already has a share.",
    },
    "schemes.DUPLICATE_WAITING_PERIOD": {
        "fr": "Le stage de la catégorie de soins {care_category} est déjà défini.",
        "en": "The waiting period of care category {care_category} is already defined.",
    },
    "schemes.DUPLICATE_BENEFIT_LINE": {
        "fr": "Une ligne couvre déjà {care_category} en structure {facility_level}.",
        "en": "A line already covers {care_category} in {facility_level} facilities.",
    },
    "schemes.COVERAGE_REQUIRED": {
        "fr": "Une ligne de prestation a soit un taux de prise en charge, soit un montant forfaitaire.",
        "en": "A benefit line has either a coverage rate or a fixed amount.",
    },
    "schemes.INVALID_AGE_LIMIT": {
        "fr": "L'âge limite doit être compris entre 1 et {maximum} ans, et non {age}.",
        "en": "The age limit must be between 1 and {maximum} years, not {age}.",
    },
    "schemes.INVALID_STUDENT_AGE_LIMIT": {
        "fr": "L'âge limite des étudiants ({age}) doit être au moins celui des enfants ({child}).",
        "en": "The students' age limit ({age}) must be at least the children's ({child}).",
    },
    "schemes.EFFECTIVE_DATE_TOO_EARLY": {
        "fr": "La date d'effet {effective_from} doit suivre la dernière période appelée, close le {used_through}.",
        "en": "The effective date {effective_from} must follow the last period called, which ended on {used_through}.",
    },
    "schemes.EFFECTIVE_DATE_TAKEN": {
        "fr": "Une autre version du régime prend effet le {effective_from}.",
        "en": "Another version of the scheme takes effect on {effective_from}.",
    },
    "schemes.RULE_VERSION_USED": {
        "fr": "La version {number} a servi jusqu'au {used_through} : créez une nouvelle version.",
        "en": "Version {number} was used through {used_through}: create a new version instead.",
    },
    "schemes.USED_BEFORE_EFFECTIVE_DATE": {
        "fr": "La période se termine le {through}, avant l'entrée en vigueur de la version le {effective_from}.",
        "en": "The period ends on {through}, before the version takes effect on {effective_from}.",
    },
    "schemes.UNSUPPORTED_CONTENT_TYPE": {
        "fr": "Le type « {content_type} » n'est pas accepté : {allowed}.",
        "en": "The type “{content_type}” is not accepted: {allowed}.",
    },
    "schemes.INVALID_DOCUMENT_SIZE": {
        "fr": "La taille du fichier doit être comprise entre 1 et {maximum} octets.",
        "en": "The file size must be between 1 and {maximum} bytes.",
    },
    "schemes.DOCUMENT_MEMBER_NOT_FOUND": {
        "fr": "Adhérent introuvable.",
        "en": "Member not found.",
    },
    "schemes.DOCUMENT_NOT_FOUND": {
        "fr": "Document introuvable.",
        "en": "Document not found.",
    },
    "schemes.DOCUMENT_NOT_UPLOADED": {
        "fr": "Le fichier n'est pas encore arrivé : envoyez-le avec le formulaire reçu, puis réessayez.",
        "en": "The file has not arrived yet: send it with the form you received, then try again.",
    },
    "schemes.DOCUMENT_MISMATCH": {
        "fr": "Le fichier reçu n'est pas celui déclaré ({content_type}, {size} octets) : il a été supprimé, "
        "recommencez l'envoi.",
        "en": "The file received is not the one declared ({content_type}, {size} bytes): it was removed, "
        "start the upload again.",
    },
    "schemes.INVALID_EMPLOYER_NAME": {
        "fr": "Le nom de l'employeur doit compter de 2 à 200 caractères.",
        "en": "The employer's name must be 2 to 200 characters long.",
    },
    "schemes.INVALID_REGISTRATION_NUMBER": {
        "fr": "« {number} » n'est pas un numéro d'immatriculation : lettres, chiffres, espaces, points, tirets "
        "ou barres obliques, 64 caractères au plus.",
        "en": "“{number}” is not a registration number: letters, digits, spaces, dots, hyphens or slashes, "
        "64 characters at most.",
    },
    "schemes.INVALID_NINEA": {
        "fr": "« {number} » n'est pas un NINEA valide : 7 chiffres (clé de contrôle comprise), suivis ou non "
        "des 3 caractères du COFI, par exemple 3067221 2G2.",
        "en": "“{number}” is not a valid NINEA: 7 digits (check digit included), optionally followed by the "
        "3 characters of the COFI, for example 3067221 2G2.",
    },
    "schemes.REGISTRATION_NUMBER_TAKEN": {
        "fr": "Un employeur est déjà enregistré sous le numéro {number}.",
        "en": "An employer is already registered under number {number}.",
    },
    "schemes.INVALID_TRADE_REGISTER": {
        "fr": "« {number} » n'est pas un numéro RCCM (par exemple SN-DKR-2015-B-12345).",
        "en": "“{number}” is not a trade register (RCCM) number (for example SN-DKR-2015-B-12345).",
    },
    "schemes.TEXT_TOO_LONG": {
        "fr": "Ce champ compte {maximum} caractères au plus.",
        "en": "This field is {maximum} characters at most.",
    },
    "schemes.INVALID_CONTACT_PHONE": {
        "fr": "Numéro de téléphone du contact invalide : écrivez-le au format international (+221...).",
        "en": "Invalid contact phone number: write it in international format (+221...).",
    },
    "schemes.INVALID_CONTACT_EMAIL": {
        "fr": "Adresse e-mail du contact invalide.",
        "en": "Invalid contact email address.",
    },
    "schemes.EMPLOYER_NOT_FOUND": {
        "fr": "Employeur introuvable.",
        "en": "Employer not found.",
    },
    "schemes.UNKNOWN_REGION": {
        "fr": "« {region} » n'est pas une région de {country} (code ISO 3166-2, par exemple SN-DK).",
        "en": "“{region}” is not a region of {country} (ISO 3166-2 code, for example SN-DK).",
    },
    "schemes.UNKNOWN_DEPARTMENT": {
        "fr": "« {department} » n'est pas un département de la région {region}.",
        "en": "“{department}” is not a department of region {region}.",
    },
    "schemes.INVALID_DIVISION_FILE": {
        "fr": "Ligne {line}, colonne {column} : « {value} » ne convient pas (colonnes attendues : "
        "code,country,parent_code,level,name ; niveaux : department, arrondissement, commune).",
        "en": "Line {line}, column {column}: “{value}” is not valid (expected columns: "
        "code,country,parent_code,level,name; levels: department, arrondissement, commune).",
    },
    "members.TENANT_NOT_APPROVED": {
        "fr": "Cette structure n'est pas agréée (statut : {status}) : elle ne peut pas encore enrôler.",
        "en": "This organisation is not licensed (status: {status}): it cannot enrol yet.",
    },
    "members.MEMBER_NOT_FOUND": {
        "fr": "Adhérent introuvable.",
        "en": "Member not found.",
    },
    "members.BENEFICIARY_NOT_FOUND": {
        "fr": "Bénéficiaire introuvable.",
        "en": "Beneficiary not found.",
    },
    "members.SCHEME_NOT_FOUND": {
        "fr": "Régime introuvable.",
        "en": "Scheme not found.",
    },
    "members.CATEGORY_NOT_ADMITTED": {
        "fr": "Ce régime n'admet pas la catégorie « {category} ».",
        "en": "This scheme does not admit the category “{category}”.",
    },
    "members.FIELD_REQUIRED": {
        "fr": "Le champ « {field} » est obligatoire pour la catégorie « {category} ».",
        "en": "The field “{field}” is required for the category “{category}”.",
    },
    "members.FIELD_NOT_ALLOWED": {
        "fr": "Ces informations ne concernent pas la catégorie « {category} ».",
        "en": "These details do not apply to the category “{category}”.",
    },
    "members.INVALID_TEXT_LENGTH": {
        "fr": "Ce champ doit compter de 1 à {maximum} caractères.",
        "en": "This field must be 1 to {maximum} characters long.",
    },
    "members.INVALID_BIRTH": {
        "fr": "Indiquez la date de naissance, ou l'année seule si elle est inconnue, entre 1900 et aujourd'hui.",
        "en": "Give the date of birth, or the year alone when it is unknown, between 1900 and today.",
    },
    "members.INVALID_COUNTRY": {
        "fr": "« {country} » n'est pas un code pays ISO 3166-1 (deux lettres, par exemple SN).",
        "en": "“{country}” is not an ISO 3166-1 country code (two letters, such as SN).",
    },
    "members.INVALID_REGION": {
        "fr": "« {region} » n'est pas une région du pays {country} (code ISO 3166-2, par exemple SN-DK).",
        "en": "“{region}” is not a region of country {country} (ISO 3166-2 code, such as SN-DK).",
    },
    "members.INVALID_PHONE": {
        "fr": "« {phone} » n'est pas un numéro de téléphone valide.",
        "en": "“{phone}” is not a valid phone number.",
    },
    "members.INVALID_DOCUMENT_NUMBER": {
        "fr": "« {number} » n'est pas un numéro de pièce : 3 à 40 lettres ou chiffres.",
        "en": "“{number}” is not a document number: 3 to 40 letters or digits.",
    },
    "members.DUPLICATE_DOCUMENT": {
        "fr": "Cette pièce d'identité est déjà enregistrée pour l'adhérent n° {member_number}.",
        "en": "This identity document is already recorded for member no. {member_number}.",
    },
    "members.REPEATED_DOCUMENT": {
        "fr": "Cette pièce d'identité figure deux fois dans la saisie.",
        "en": "This identity document is given twice.",
    },
    "members.EMPLOYER_NOT_FOUND": {
        "fr": "Employeur introuvable.",
        "en": "Employer not found.",
    },
    "members.INVALID_SALARY": {
        "fr": "Le salaire doit être un montant positif en unités de la devise.",
        "en": "The salary must be a positive amount in the currency's units.",
    },
    "members.INVALID_CONTRACT_KIND": {
        "fr": "Ce type de contrat ne convient pas à la catégorie « {category} » : un salarié est permanent, "
        "un travailleur précaire journalier, saisonnier ou temporaire.",
        "en": "This contract kind does not fit the category “{category}”: an employee is permanent, "
        "a precarious worker day, seasonal or temporary.",
    },
    "members.INVALID_DATE": {
        "fr": "Cette date ne convient pas : ni dans le futur, ni avant la date précédente.",
        "en": "This date does not fit: neither in the future nor before the previous one.",
    },
    "members.TOO_MANY": {
        "fr": "Trop d'éléments : {maximum} au plus.",
        "en": "Too many items: {maximum} at most.",
    },
    "members.INVALID_IDEMPOTENCY_KEY": {
        "fr": "La clé d'idempotence doit compter de 1 à {maximum} caractères.",
        "en": "The idempotency key must be 1 to {maximum} characters long.",
    },
    "members.IDEMPOTENCY_KEY_REQUIRED": {
        "fr": "Chaque enrôlement d'un lot porte sa clé d'idempotence.",
        "en": "Each enrolment of a batch carries its idempotency key.",
    },
    "members.IDEMPOTENCY_KEY_REUSED": {
        "fr": "Cette clé d'idempotence est déjà celle de l'enrôlement n° {first} du lot, dont le contenu diffère.",
        "en": "This idempotency key is already that of enrolment {first} of the batch, whose content differs.",
    },
    "members.ILLEGAL_TRANSITION": {
        "fr": "Un adhérent au statut « {from_status} » ne peut pas passer au statut « {to_status} ».",
        "en": "A member with the status “{from_status}” cannot move to “{to_status}”.",
    },
    "members.REASON_REQUIRED": {
        "fr": "Indiquez le motif de la radiation : décès, démission, mutation ou fraude.",
        "en": "Give the reason for the termination: death, resignation, transfer or fraud.",
    },
    "members.REASON_NOT_ALLOWED": {
        "fr": "Un motif ne s'indique que pour une radiation.",
        "en": "A reason is given only for a termination.",
    },
    "members.MEMBER_TERMINATED": {
        "fr": "L'adhérent n° {number} est radié : son foyer ne change plus.",
        "en": "Member no. {number} is terminated: their household no longer changes.",
    },
    "members.ACCESS_OF_TERMINATED": {
        "fr": "L'adhérent n° {number} est radié : il n'a plus d'accès en ligne.",
        "en": "Member no. {number} is terminated: they have no access online.",
    },
    "members.PHONE_REQUIRED": {
        "fr": "L'accès en ligne se fait par un code envoyé par SMS : indiquez d'abord le téléphone de l'adhérent.",
        "en": "Access online is by a code sent by SMS: first give the member's phone.",
    },
    "members.ACCOUNT_DISABLED": {
        "fr": "Le compte de ce numéro de téléphone est désactivé.",
        "en": "The account of this phone number is disabled.",
    },
    "members.PHONE_OF_STAFF": {
        "fr": "Ce numéro est celui d'un utilisateur de la structure : il ne peut pas servir à un adhérent.",
        "en": "This number is a user's of the organisation: it cannot serve a member.",
    },
    "members.PHONE_OF_ANOTHER_MEMBER": {
        "fr": "Ce numéro de téléphone ouvre déjà l'accès en ligne de l'adhérent n° {number}.",
        "en": "This phone number already opens the access online of member no. {number}.",
    },
    "members.BENEFICIARY_REMOVED": {
        "fr": "Ce bénéficiaire a déjà quitté le foyer le {removed_on}.",
        "en": "This beneficiary already left the household on {removed_on}.",
    },
    "members.NUMBERING_IN_USE": {
        "fr": "{issued} numéros d'adhérent sont déjà attribués : leur format ne change plus.",
        "en": "{issued} membership numbers are already issued: their format can no longer change.",
    },
    "members.INVALID_NUMBERING": {
        "fr": "Format invalide : un préfixe de 12 lettres majuscules, chiffres ou tirets au plus, "
        "de 1 à {maximum} chiffres.",
        "en": "Invalid format: a prefix of at most 12 capital letters, digits or hyphens, 1 to {maximum} digits.",
    },
    "members.INVALID_AGE_BAND": {
        "fr": "Tranche d'âge invalide : de 0 à {maximum} ans, la borne basse d'abord.",
        "en": "Invalid age band: 0 to {maximum} years, the lower bound first.",
    },
    "members.DUPLICATE_BY_REVIEW_ONLY": {
        "fr": "Un doublon se radie depuis la revue des doublons probables, qui désigne l'adhérent conservé.",
        "en": "A duplicate is terminated from the review of probable duplicates, which names the member kept.",
    },
    "duplicates.PAIR_NOT_FOUND": {
        "fr": "Ce doublon probable est introuvable.",
        "en": "This probable duplicate was not found.",
    },
    "duplicates.PAIR_ALREADY_DECIDED": {
        "fr": "Ce doublon probable a déjà été tranché.",
        "en": "This probable duplicate has already been decided.",
    },
    "duplicates.KEEP_REQUIRED": {
        "fr": "Indiquez l'adhérent à conserver : l'autre lui est rattaché puis radié.",
        "en": "Name the member to keep: the other is merged into them, then terminated.",
    },
    "duplicates.KEEP_NOT_ALLOWED": {
        "fr": "Deux personnes différentes : aucun adhérent n'est conservé à la place de l'autre.",
        "en": "Two different people: no member is kept over the other.",
    },
    "duplicates.KEEP_NOT_IN_PAIR": {
        "fr": "L'adhérent conservé doit être l'un des deux adhérents du doublon.",
        "en": "The member kept must be one of the two members of the pair.",
    },
    "duplicates.REASON_REQUIRED": {
        "fr": "Indiquez pourquoi ces deux adhérents sont des personnes différentes.",
        "en": "Say why these two members are different people.",
    },
    "duplicates.REASON_TOO_LONG": {
        "fr": "Le motif dépasse {maximum} caractères.",
        "en": "The reason is longer than {maximum} characters.",
    },
    "duplicates.MEMBER_TERMINATED": {
        "fr": "L'adhérent n° {number} est radié : il ne peut plus être fusionné.",
        "en": "Member no. {number} is terminated: they can no longer be merged.",
    },
    "imports.IMPORT_NOT_FOUND": {
        "fr": "Import introuvable.",
        "en": "Import not found.",
    },
    "imports.INVALID_FILE_NAME": {
        "fr": "Le nom du fichier doit compter de 1 à 255 caractères, sans « / » ni « \\ ».",
        "en": "The file name must be 1 to 255 characters long, without “/” or “\\”.",
    },
    "imports.UNSUPPORTED_FILE_TYPE": {
        "fr": "Seuls les fichiers CSV (.csv) et Excel (.xlsx) sont acceptés ({allowed}).",
        "en": "Only CSV (.csv) and Excel (.xlsx) files are accepted ({allowed}).",
    },
    "imports.INVALID_FILE_SIZE": {
        "fr": "La taille du fichier doit être comprise entre 1 et {limit} octets.",
        "en": "The file size must be between 1 and {limit} bytes.",
    },
    "imports.FILE_NOT_UPLOADED": {
        "fr": "Le fichier n'a pas encore été envoyé : envoyez-le avant de lancer l'import.",
        "en": "The file has not been uploaded yet: upload it before starting the import.",
    },
    "imports.FILE_SIZE_MISMATCH": {
        "fr": "Le fichier reçu fait {received} octets au lieu des {declared} annoncés : envoyez-le à nouveau.",
        "en": "The file received is {received} bytes instead of the {declared} declared: upload it again.",
    },
    "imports.FILE_UNREADABLE": {
        "fr": "Le fichier est illisible : enregistrez-le en CSV (UTF-8) ou en Excel (.xlsx) et réessayez.",
        "en": "The file cannot be read: save it as CSV (UTF-8) or Excel (.xlsx) and try again.",
    },
    "imports.FILE_EMPTY": {
        "fr": "Le fichier est vide : la première ligne doit porter les noms des colonnes.",
        "en": "The file is empty: its first line must hold the column names.",
    },
    "imports.FILE_MISSING_COLUMNS": {
        "fr": "Colonnes obligatoires absentes : {columns}.",
        "en": "Required columns are missing: {columns}.",
    },
    "imports.FILE_DUPLICATE_COLUMNS": {
        "fr": "Colonnes présentes deux fois : {columns}.",
        "en": "Columns given twice: {columns}.",
    },
    "imports.MISSING_VALUE": {
        "fr": "Valeur obligatoire pour l'adhérent du foyer.",
        "en": "A value is required for the household's member.",
    },
    "imports.UNKNOWN_VALUE": {
        "fr": "Valeur non reconnue : « {value} » (voir le modèle de fichier).",
        "en": "Value not recognised: “{value}” (see the file template).",
    },
    "imports.UNREADABLE_DATE": {
        "fr": "Date illisible : « {value} » (attendu JJ/MM/AAAA).",
        "en": "Unreadable date: “{value}” (expected DD/MM/YYYY).",
    },
    "imports.INVALID_AMOUNT": {
        "fr": "Montant invalide : « {value} » (un nombre positif, par exemple 150000).",
        "en": "Invalid amount: “{value}” (a positive number, such as 150000).",
    },
    "imports.INCOMPLETE_DOCUMENT": {
        "fr": "Une pièce d'identité demande son type et son numéro.",
        "en": "An identity document needs both its kind and its number.",
    },
    "imports.UNKNOWN_EMPLOYER": {
        "fr": "Aucun employeur de la structure n'a le numéro « {value} ».",
        "en": "No employer of the organisation has the number “{value}”.",
    },
    "imports.NO_MEMBER_IN_HOUSEHOLD": {
        "fr": "Le foyer « {household} » n'a pas d'adhérent sur la ligne qui précède ses ayants droit.",
        "en": "Household “{household}” has no member on the line before its beneficiaries.",
    },
    "imports.SECOND_MEMBER_IN_HOUSEHOLD": {
        "fr": "Le foyer « {household} » a déjà un adhérent : une seule ligne sans lien par foyer.",
        "en": "Household “{household}” already has a member: one row without a relationship per household.",
    },
    "imports.HOUSEHOLD_NOT_IMPORTED": {
        "fr": "Ligne non importée : une autre ligne du foyer « {household} » a une erreur.",
        "en": "Row not imported: another row of household “{household}” has an error.",
    },
}

_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "field": {
        "trade": ("Métier", "Trade"),
        "tradesRegisterNumber": ("N° au répertoire des métiers", "Trades register number"),
        "chamberOfTrades": ("Chambre de métiers", "Chamber of trades"),
        "originCountry": ("Pays d'origine", "Country of origin"),
        "residenceCountry": ("Pays de résidence", "Country of residence"),
        "status": ("Situation", "Situation"),
        "employments": ("Emploi", "Employment"),
        "employer": ("Employeur", "Employer"),
        "staffNumber": ("Matricule", "Staff number"),
        "salary": ("Salaire mensuel", "Monthly salary"),
        "sector": ("Secteur d'activité", "Sector"),
    },
    "category": {
        "artisan": ("artisan", "artisan"),
        "precarious_worker": ("travailleur précaire", "precarious worker"),
        "migrant": ("migrant", "migrant"),
        "salaried": ("salarié", "salaried employee"),
        "self_employed": ("indépendant", "self-employed"),
    },
}
"""Words for the values some messages name (``{field}``, ``{category}``): the
field's label as forms show it rather than its name in the API (an import's
column header, already in words, stays as it is)."""

SCHEME_MESSAGES.update(
    {
        f"label.{param}.{value}": {"fr": fr, "en": en}
        for param, labels in _LABELS.items()
        for value, (fr, en) in labels.items()
    }
)
