"""The message catalogue: one entry per error code, a text per locale."""

MESSAGES: dict[str, dict[str, str]] = {
    "tenants.INVALID_NAME": {
        "fr": "Le nom doit compter de 2 à 200 caractères.",
        "en": "The name must be 2 to 200 characters long.",
    },
    "tenants.INVALID_SLUG": {
        "fr": "L'identifiant « {slug} » doit être en minuscules, chiffres et tirets (63 caractères au plus).",
        "en": "The identifier “{slug}” must be lower-case letters, digits and hyphens (63 characters at most).",
    },
    "tenants.SLUG_TAKEN": {
        "fr": "L'identifiant « {slug} » est déjà pris.",
        "en": "The identifier “{slug}” is already taken.",
    },
    "tenants.UNKNOWN_COUNTRY": {
        "fr": "« {country} » n'est pas un code pays ISO 3166-1 (deux lettres majuscules, par exemple SN).",
        "en": "“{country}” is not an ISO 3166-1 country code (two capital letters, such as SN).",
    },
    "tenants.UNSUPPORTED_CURRENCY": {
        "fr": "La devise « {currency} » n'est pas prise en charge (par exemple XOF, XAF).",
        "en": "The currency “{currency}” is not supported (for example XOF, XAF).",
    },
    "tenants.MINISTRY_EXISTS": {
        "fr": "Le pays {country} a déjà un ministère de tutelle.",
        "en": "Country {country} already has a supervising ministry.",
    },
    "tenants.TENANT_NOT_FOUND": {
        "fr": "Structure introuvable.",
        "en": "Organisation not found.",
    },
    "tenants.ROLE_NOT_IN_TENANT": {
        "fr": "Le rôle « {role} » n'existe pas dans ce type de structure.",
        "en": "The role “{role}” does not exist in this kind of organisation.",
    },
    "tenants.INVALID_CLIENT_NAME": {
        "fr": "Le nom de l'application doit compter de 2 à 200 caractères.",
        "en": "The application name must be 2 to 200 characters long.",
    },
    "tenants.INVALID_SCOPES": {
        "fr": "Portées refusées ou absentes ({scopes}) ; une application partenaire peut recevoir : {allowed}.",
        "en": "Scopes refused or missing ({scopes}); a partner application may be granted: {allowed}.",
    },
    "tenants.CLIENT_NOT_FOUND": {
        "fr": "Application introuvable.",
        "en": "Application not found.",
    },
    "tenants.CLIENT_REVOKED": {
        "fr": "Cette application est révoquée ; enregistrez-en une nouvelle.",
        "en": "This application is revoked; register a new one.",
    },
    "tenants.USER_NOT_FOUND": {
        "fr": "Utilisateur introuvable dans cette structure.",
        "en": "User not found in this organisation.",
    },
    "tenants.LAST_ADMINISTRATOR": {
        "fr": "C'est le dernier administrateur actif : nommez-en un autre d'abord.",
        "en": "This is the last active administrator: appoint another one first.",
    },
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
        "fr": "Ligne {line} : {problem}.",
        "en": "Line {line}: {problem}.",
    },
    "auth.INVALID_CREDENTIALS": {
        "fr": "Identifiant ou mot de passe incorrect.",
        "en": "Wrong identifier or password.",
    },
    "auth.INVALID_IDENTIFIER": {
        "fr": "Saisissez une adresse e-mail ou un numéro de téléphone au format international (+221…).",
        "en": "Enter an email address or a phone number in international format (+221…).",
    },
    "auth.TENANT_REQUIRED": {
        "fr": "Vous êtes membre de plusieurs structures : choisissez-en une ({tenants}).",
        "en": "You belong to several organisations: choose one ({tenants}).",
    },
    "auth.NOT_A_MEMBER": {
        "fr": "Vous n'êtes pas membre de la structure « {tenant} ».",
        "en": "You are not a member of the organisation “{tenant}”.",
    },
    "auth.TOO_MANY_ATTEMPTS": {
        "fr": "Trop de tentatives de connexion. Réessayez dans {minutes} minute(s).",
        "en": "Too many sign-in attempts. Try again in {minutes} minute(s).",
    },
    "auth.TOO_MANY_REQUESTS": {
        "fr": "Trop de demandes. Réessayez dans {minutes} minute(s).",
        "en": "Too many requests. Try again in {minutes} minute(s).",
    },
    "auth.INVALID_CODE": {
        "fr": "Code incorrect ou expiré : demandez-en un nouveau.",
        "en": "Wrong or expired code: ask for a new one.",
    },
    "auth.SIGN_IN_CODE_SMS": {
        "fr": "Socle : votre code de connexion est {code}. Il expire dans 5 minutes. Ne le communiquez à personne.",
        "en": "Socle: your sign-in code is {code}. It expires in 5 minutes. Do not share it.",
    },
    "auth.INVALID_REFRESH_TOKEN": {
        "fr": "Session expirée ou fermée : reconnectez-vous.",
        "en": "Session expired or ended: sign in again.",
    },
    "api.UNAUTHENTICATED": {
        "fr": "Connectez-vous pour accéder à cette information.",
        "en": "Sign in to access this information.",
    },
    "api.FORBIDDEN": {
        "fr": "Votre rôle ne permet pas cette opération (droit requis : {permission}).",
        "en": "Your role does not allow this operation (permission needed: {permission}).",
    },
    "api.INVALID_CURSOR": {
        "fr": "Curseur de pagination invalide : reprenez depuis la première page.",
        "en": "Invalid pagination cursor: start again from the first page.",
    },
    "api.INVALID_PAGE_SIZE": {
        "fr": "Demandez entre 1 et {maximum} éléments par page.",
        "en": "Ask for 1 to {maximum} items per page.",
    },
    "api.INTERNAL_ERROR": {
        "fr": "Erreur inattendue. Réessayez ; si elle persiste, citez la référence {request_id}.",
        "en": "Unexpected error. Try again; if it persists, quote reference {request_id}.",
    },
    "api.NOT_FOUND": {
        "fr": "Ressource introuvable.",
        "en": "Resource not found.",
    },
    "api.READ_ONLY_TENANT": {
        "fr": "Cette structure est sous votre tutelle : vous pouvez consulter ses données, pas les modifier.",
        "en": "This organisation is under your oversight: you may read its data, not change it.",
    },
    "api.INVALID_TEXT": {
        "fr": "Le champ « {field} » contient des caractères de contrôle ; saisissez du texte ordinaire.",
        "en": "The field “{field}” holds control characters; type plain text.",
    },
    "api.METHOD_NOT_ALLOWED": {
        "fr": "Cette adresse n'accepte pas cette méthode HTTP.",
        "en": "This address does not accept this HTTP method.",
    },
    "api.REQUEST_TOO_LARGE": {
        "fr": "Requête trop volumineuse.",
        "en": "Request too large.",
    },
    "tenants.WEAK_PASSWORD": {
        "fr": "Choisissez un mot de passe de {min_length} à {max_length} caractères.",
        "en": "Choose a password of {min_length} to {max_length} characters.",
    },
    "tenants.INVALID_EMAIL": {
        "fr": "Adresse e-mail invalide.",
        "en": "Invalid email address.",
    },
    "tenants.INVALID_PHONE": {
        "fr": "Numéro de téléphone invalide : écrivez-le au format international (+221...).",
        "en": "Invalid phone number: write it in international format (+221...).",
    },
    "tenants.CONTACT_REQUIRED": {
        "fr": "Indiquez soit une adresse e-mail, soit un numéro de téléphone.",
        "en": "Give either an email address or a phone number.",
    },
    "tenants.ALREADY_MEMBER": {
        "fr": "Cette personne est déjà utilisatrice active de la structure.",
        "en": "This person is already an active user of the organisation.",
    },
    "tenants.INVITATION_NOT_FOUND": {
        "fr": "Invitation introuvable ou annulée : demandez-en une nouvelle.",
        "en": "Invitation not found or cancelled: ask for a new one.",
    },
    "tenants.INVITATION_EXPIRED": {
        "fr": "Cette invitation a expiré : demandez-en une nouvelle.",
        "en": "This invitation has expired: ask for a new one.",
    },
    "tenants.INVITATION_ACCEPTED": {
        "fr": "Cette invitation a déjà été acceptée : connectez-vous.",
        "en": "This invitation was already accepted: sign in.",
    },
    "tenants.WRONG_PASSWORD": {
        "fr": "Un compte existe déjà pour ce contact : saisissez son mot de passe actuel.",
        "en": "An account already exists for this contact: enter its current password.",
    },
    "invitations.MESSAGE": {
        "fr": "Socle : {tenant} vous invite à rejoindre son espace. "
        "Choisissez votre mot de passe avant le {expires} : {link}",
        "en": "Socle: {tenant} invites you to join its workspace. Choose your password before {expires}: {link}",
    },
    "invitations.SUBJECT": {
        "fr": "Invitation de {tenant} sur Socle",
        "en": "{tenant} invites you to Socle",
    },
    "auth.INVALID_RESET_TOKEN": {
        "fr": "Lien invalide, expiré ou déjà utilisé : demandez-en un nouveau.",
        "en": "Invalid, expired or already used link: ask for a new one.",
    },
    "auth.PASSWORD_RESET_MESSAGE": {
        "fr": "Socle : pour choisir un nouveau mot de passe, ouvrez ce lien dans l'heure : {link} "
        "Si vous n'avez rien demandé, ignorez ce message.",
        "en": "Socle: to choose a new password, open this link within the hour: {link} "
        "If you did not ask for it, ignore this message.",
    },
    "auth.PASSWORD_RESET_SUBJECT": {
        "fr": "Nouveau mot de passe Socle",
        "en": "New Socle password",
    },
}
