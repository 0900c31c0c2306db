"""The pages' texts, French then English, by code (``page.…``)."""

_TEXTS: dict[str, tuple[str, str]] = {
    # The frame of every page
    "page.SKIP_TO_CONTENT": ("Aller au contenu", "Skip to content"),
    "page.MENU": ("Menu principal", "Main menu"),
    "page.SIGN_OUT": ("Se déconnecter", "Sign out"),
    "page.MY_PASSWORD": ("Mon mot de passe", "My password"),
    "page.BACK_HOME": ("Retour à l'accueil", "Back to the home page"),
    "page.REQUEST_ID": ("Référence de la demande : {request_id}", "Request reference: {request_id}"),
    "page.SAVE": ("Enregistrer", "Save"),
    "page.SEARCH": ("Rechercher", "Search"),
    "page.NEXT_PAGE": ("Page suivante", "Next page"),
    "page.FIRST_PAGE": ("Première page", "First page"),
    "page.NONE": ("—", "—"),
    "page.WELCOME": ("Bienvenue", "Welcome"),
    "page.NOTHING_FOR_ROLE": (
        "Votre rôle n'ouvre encore aucune page ; votre structure peut vous en donner un autre.",
        "Your role opens no page yet; your organisation can give you another one.",
    ),
    # Errors
    "page.NOT_FOUND": ("Page introuvable.", "Page not found."),
    "page.FORBIDDEN": (
        "Votre rôle ne donne pas accès à cette page.",
        "Your role does not give access to this page.",
    ),
    "page.CSRF": (
        "Ce formulaire a expiré. Rechargez la page et recommencez.",
        "This form has expired. Reload the page and try again.",
    ),
    "page.TOO_LARGE": ("Le fichier envoyé est trop volumineux.", "The file sent is too large."),
    "page.BAD_REQUEST": ("La demande est incorrecte.", "The request is not valid."),
    "page.INTERNAL_ERROR": (
        "Une erreur inattendue s'est produite. Réessayez ; si elle persiste, donnez la référence ci-dessous.",
        "An unexpected error occurred. Try again; if it persists, give the reference below.",
    ),
    "page.INVALID_FORM": (
        "Certains champs ne sont pas valides : vérifiez-les.",
        "Some fields are not valid: check them.",
    ),
    # Signing in
    "page.SIGN_IN": ("Connexion", "Sign in"),
    "page.SIGN_IN_ACTION": ("Se connecter", "Sign in"),
    "page.IDENTIFIER": ("Adresse e-mail ou numéro de téléphone", "Email address or phone number"),
    "page.IDENTIFIER_HINT": (
        "Par exemple awa.diop@exemple.sn ou +221 77 123 45 67",
        "For example awa.diop@example.sn or +221 77 123 45 67",
    ),
    "page.PASSWORD": ("Mot de passe", "Password"),
    "page.TENANT_SLUG": ("Structure (identifiant)", "Organisation (identifier)"),
    "page.SIGN_IN_WITH_CODE": ("Se connecter avec un code reçu par SMS", "Sign in with a code received by SMS"),
    "page.SIGN_IN_WITH_PASSWORD": ("Se connecter avec un mot de passe", "Sign in with a password"),
    "page.PHONE": ("Numéro de téléphone", "Phone number"),
    "page.PHONE_HINT": (
        "Avec l'indicatif du pays, par exemple +221 77 123 45 67",
        "With the country code, for example +221 77 123 45 67",
    ),
    "page.CODE_SEND": ("Recevoir un code", "Send me a code"),
    "page.CODE_SENT": (
        "Un code a été envoyé au {phone}. Il est valable {minutes} minutes.",
        "A code was sent to {phone}. It is valid for {minutes} minutes.",
    ),
    "page.CODE": ("Code reçu (6 chiffres)", "Code received (6 digits)"),
    "page.CODE_AGAIN": ("Demander un autre code", "Ask for another code"),
    "page.PASSWORD_FORGOTTEN": ("Mot de passe oublié ?", "Forgotten your password?"),
    "page.PASSWORD_FORGOTTEN_HELP": (
        "Indiquez votre adresse e-mail ou votre numéro : vous recevrez un lien pour choisir un nouveau mot de passe.",
        "Give your email address or phone number: you will receive a link to choose a new password.",
    ),
    "page.RESET_SEND": ("Recevoir le lien", "Send me the link"),
    "page.RESET_AGAIN": ("Demander un nouveau lien", "Ask for a new link"),
    "page.PASSWORD_NEW": ("Nouveau mot de passe", "New password"),
    "page.PASSWORD_CURRENT": ("Mot de passe actuel", "Current password"),
    "page.PASSWORD_RULE": ("De 10 à 128 caractères.", "10 to 128 characters."),
    "page.INVITATION": ("Rejoindre votre structure", "Join your organisation"),
    "page.INVITATION_HELP": (
        "Vous avez été invité à utiliser Socle. Choisissez votre mot de passe pour accepter l'invitation.",
        "You have been invited to use Socle. Choose your password to accept the invitation.",
    ),
    "page.INVITATION_PASSWORD_HINT": (
        "10 caractères au moins. Si vous avez déjà un compte Socle, donnez son mot de passe.",
        "10 characters at least. If you already have a Socle account, give its password.",
    ),
    "page.INVITATION_ACCEPT": ("Accepter l'invitation", "Accept the invitation"),
    "page.NOTICE_SIGNED_OUT": ("Vous êtes déconnecté.", "You are signed out."),
    "page.NOTICE_PASSWORD_RESET": (
        "Votre mot de passe a été changé : connectez-vous avec le nouveau.",
        "Your password was changed: sign in with the new one.",
    ),
    "page.NOTICE_PASSWORD_CHANGED": (
        "Votre mot de passe a été changé. Vos autres sessions ont été fermées.",
        "Your password was changed. Your other sessions were ended.",
    ),
    "page.NOTICE_RESET_SENT": (
        "Si un compte correspond, un lien vient de lui être envoyé.",
        "If an account matches, a link has just been sent to it.",
    ),
}

PAGE_MESSAGES: dict[str, dict[str, str]] = {code: {"fr": fr, "en": en} for code, (fr, en) in _TEXTS.items()}
