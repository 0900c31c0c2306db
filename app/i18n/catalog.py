"""The message catalogue: one entry per error code, a text per locale. The
tenancy kernel's messages are here, scheme operations' in
:mod:`app.i18n.catalog_schemes`, the pages' texts in :mod:`app.i18n.catalog_pages`."""

from app.i18n.catalog_contributions import CONTRIBUTION_MESSAGES
from app.i18n.catalog_pages import PAGE_MESSAGES
from app.i18n.catalog_schemes import SCHEME_MESSAGES

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
    "storage.LINK_INVALID": {
        "fr": "Lien invalide ou expiré : demandez-en un nouveau.",
        "en": "Invalid or expired link: ask for a new one.",
    },
    "storage.WRONG_SIZE": {
        "fr": "Le fichier ne fait pas la taille déclarée ({size} octets).",
        "en": "The file is not of the declared size ({size} bytes).",
    },
    "storage.WRONG_CONTENT_TYPE": {
        "fr": "Le fichier n'est pas du type déclaré ({content_type}).",
        "en": "The file is not of the declared type ({content_type}).",
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
    **SCHEME_MESSAGES,
    **CONTRIBUTION_MESSAGES,
    **PAGE_MESSAGES,
}
