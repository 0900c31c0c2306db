"""The message catalogue of contributions and payments: one entry per error
code, a text per locale."""

_TEXTS: dict[str, tuple[str, str]] = {
    "contributions.INVALID_PERIOD": (
        "« {period} » ne désigne pas une période du régime : 2026-12 (mois), 2026-T4 (trimestre) ou 2026 (année).",
        "“{period}” names no period of the scheme: 2026-12 (month), 2026-T4 (quarter) or 2026 (year).",
    ),
    "contributions.INVALID_YEAR": (
        "L'année doit être comprise entre {minimum} et {maximum}.",
        "The year must be between {minimum} and {maximum}.",
    ),
    "contributions.NO_RULE_IN_FORCE": (
        "Le régime n'a pas de version des règles en vigueur pour la période {period}.",
        "The scheme has no rule version in force for the period {period}.",
    ),
    "contributions.RATE_BASIS_NOT_CALLED": (
        "Une cotisation assise sur le salaire ou le revenu est appelée par les déclarations, pas pour chaque membre.",
        "A contribution on salaries or incomes is called from declarations, not for every member.",
    ),
    "contributions.NOT_SALARY_BASED": (
        "Les cotisations de ce régime ne sont pas assises sur les salaires : il n'y a pas de déclaration à déposer.",
        "This scheme's contributions are not a rate of salaries: there is no declaration to file.",
    ),
    "contributions.PERIOD_NOT_STARTED": (
        "La période {period} n'a pas commencé : les salaires se déclarent une fois la période ouverte.",
        "The period {period} has not begun: salaries are declared once the period is open.",
    ),
    "contributions.TOO_MANY_LINES": (
        "Une déclaration compte au plus {maximum} salariés.",
        "A declaration has at most {maximum} employees.",
    ),
    "contributions.LINES_REQUIRED": (
        "Déclarez au moins un salarié.",
        "Declare at least one employee.",
    ),
    "contributions.EMPLOYEE_NOT_FOUND": (
        "Aucun membre du régime employé par cet employeur pendant la période ne porte le numéro « {number} ».",
        "No member of the scheme employed by this employer in the period has the number “{number}”.",
    ),
    "contributions.EMPLOYEE_REQUIRED": (
        "Indiquez le matricule du salarié ou son numéro d'adhérent.",
        "Give the employee's staff number or member number.",
    ),
    "contributions.EMPLOYEE_TWICE": (
        "Ce salarié est déjà déclaré à la ligne {line}.",
        "This employee is already declared on line {line}.",
    ),
    "contributions.DECLARATION_EXISTS": (
        "La période {period} est déjà déclarée (version {version}) : déposez une déclaration rectificative.",
        "The period {period} is declared already (version {version}): file a correction.",
    ),
    "contributions.DECLARATION_SUPERSEDED": (
        "La déclaration à rectifier n'est plus celle en vigueur pour cette période : la version {version} l'a "
        "remplacée.",
        "The declaration to correct is no longer the one in force for this period: version {version} replaced it.",
    ),
    "contributions.DECLARATION_NOT_FOUND": (
        "Déclaration introuvable pour cet employeur, ce régime et cette période.",
        "No such declaration of this employer, scheme and period.",
    ),
    "contributions.DECLARATION_KEY_REUSED": (
        "Cette clé d'idempotence a déjà servi pour la déclaration {period} d'un employeur : chaque déclaration a "
        "sa clé.",
        "This idempotency key was already used for an employer's declaration of {period}: each declaration has "
        "its own key.",
    ),
    "contributions.PAYER_NOT_FOUND": (
        "Payeur introuvable : indiquez un membre ou un employeur de votre organisme, pas les deux.",
        "Payer not found: name one member or one employer of your organisation, not both.",
    ),
    "contributions.PAYER_TERMINATED": (
        "L'adhésion de ce membre a pris fin : il n'a plus de cotisation à payer.",
        "This member's membership has ended: they have no contribution left to pay.",
    ),
    "contributions.INVALID_AMOUNT": (
        "Le montant doit être un nombre entier positif de l'unité de la devise, et non {amount}.",
        "The amount must be a positive whole number of the currency's unit, not {amount}.",
    ),
    "contributions.CURRENCY_MISMATCH": (
        "Les paiements sont reçus en {expected}, et non en « {currency} ».",
        "Payments are received in {expected}, not in “{currency}”.",
    ),
    "contributions.REFERENCE_REQUIRED": (
        "Indiquez la référence de la transaction.",
        "Give the transaction's reference.",
    ),
    "contributions.PROVIDER_REQUIRED": (
        "Indiquez l'opérateur du mobile money (Wave, Orange Money…).",
        "Give the mobile money operator (Wave, Orange Money…).",
    ),
    "contributions.INVALID_REFERENCE": (
        "La référence doit compter de 3 à 100 lettres, chiffres, points, tirets ou barres obliques.",
        "The reference must be 3 to 100 letters, digits, dots, hyphens or slashes.",
    ),
    "contributions.REFERENCE_ALREADY_RECORDED": (
        "La transaction « {reference} » est déjà enregistrée : un paiement ne s'enregistre qu'une fois.",
        "The transaction “{reference}” is already recorded: a payment is recorded once.",
    ),
    "contributions.INVALID_IDEMPOTENCY_KEY": (
        "La clé d'idempotence doit compter de 1 à {maximum} caractères, sans espace autour.",
        "The idempotency key must be 1 to {maximum} characters, without surrounding spaces.",
    ),
    "contributions.IDEMPOTENCY_KEY_REUSED": (
        "Cette clé d'idempotence a déjà servi pour un autre paiement ({receipt}) : chaque paiement a sa clé.",
        "This idempotency key was already used for another payment ({receipt}): each payment has its own key.",
    ),
    "contributions.CALL_NOT_FOUND": (
        "Cet appel de cotisation n'est pas un appel ouvert de ce membre.",
        "This contribution call is not an open call of this member.",
    ),
    "contributions.INVALID_RECEIVED_AT": (
        "La date de réception ne peut être ni dans le futur ni à plus d'un an.",
        "The date received can be neither in the future nor more than a year ago.",
    ),
    "contributions.TEXT_TOO_LONG": (
        "Ce texte doit compter {maximum} caractères au plus.",
        "This text must be {maximum} characters at most.",
    ),
    "contributions.PAYMENT_NOT_FOUND": ("Paiement introuvable.", "Payment not found."),
    "contributions.PAYMENT_ALREADY_REVERSED": (
        "Le paiement {receipt} est déjà annulé.",
        "The payment {receipt} is already reversed.",
    ),
    "contributions.REVERSAL_NOT_REVERSIBLE": (
        "L'écriture {receipt} est une annulation : enregistrez plutôt le paiement à nouveau.",
        "The entry {receipt} is a reversal: record the payment again instead.",
    ),
    "contributions.SUBSIDY_NOT_REVERSIBLE": (
        "Le paiement {receipt} est le virement de l'État que le ministère a enregistré : il ne s'annule pas ici.",
        "The payment {receipt} is the State's transfer its ministry recorded: it is not reversed here.",
    ),
    "contributions.REASON_REQUIRED": (
        "Indiquez pourquoi le paiement est annulé.",
        "Say why the payment is reversed.",
    ),
    "contributions.REMINDER_BEFORE_DUE_CONTRIBUTION": (
        "{tenant} : votre cotisation {period} de {amount} est due le {due}. Payez au guichet ou en ligne. Merci.",
        "{tenant}: your {period} contribution of {amount} is due on {due}. Pay at the counter or online. Thank you.",
    ),
    "contributions.REMINDER_BEFORE_DUE_REGISTRATION_FEE": (
        "{tenant} : votre droit d'adhésion de {amount} est dû le {due}. Payez au guichet ou en ligne. Merci.",
        "{tenant}: your registration fee of {amount} is due on {due}. Pay at the counter or online. Thank you.",
    ),
    "contributions.REMINDER_OVERDUE_CONTRIBUTION": (
        "{tenant} : votre cotisation {period} de {amount}, due le {due}, n'est pas payée."
        " Réglez-la pour garder vos droits aux soins.",
        "{tenant}: your {period} contribution of {amount}, due on {due}, is unpaid. Pay it to keep your right to care.",
    ),
    "contributions.REMINDER_OVERDUE_REGISTRATION_FEE": (
        "{tenant} : votre droit d'adhésion de {amount}, dû le {due}, n'est pas payé."
        " Réglez-le pour garder vos droits aux soins.",
        "{tenant}: your registration fee of {amount}, due on {due}, is unpaid. Pay it to keep your right to care.",
    ),
    "contributions.NOTHING_TO_STATE": (
        "Aucun appel de l'État à relever pour la période {period} : ses appels sont déjà sur un relevé, ou le régime "
        "n'en a pas.",
        "No call of the State's to state for the period {period}: its calls are on a statement already, or the "
        "scheme has none.",
    ),
    "contributions.STATEMENT_KEY_REUSED": (
        "Cette clé d'idempotence a déjà servi pour un autre relevé : chaque relevé a sa clé.",
        "This idempotency key was already used for another statement: each statement has its own key.",
    ),
    "contributions.STATEMENT_NOT_FOUND": (
        "Relevé de subvention introuvable.",
        "Subsidy statement not found.",
    ),
    "contributions.STATEMENT_OVERPAID": (
        "Il ne reste que {outstanding} {currency} à payer sur ce relevé.",
        "Only {outstanding} {currency} is left to pay on this statement.",
    ),
    "contributions.INVALID_PAID_ON": (
        "La date du virement ne peut être ni dans le futur ni à plus d'un an.",
        "The transfer's date can be neither in the future nor more than a year ago.",
    ),
    "contributions.SUBSIDY_KEY_REUSED": (
        "Cette clé d'idempotence a déjà servi pour un autre paiement de l'État : chaque paiement a sa clé.",
        "This idempotency key was already used for another payment of the State's: each payment has its own key.",
    ),
    "gateways.PROVIDER_NOT_ONLINE": (
        "Ce moyen de paiement ne se règle pas en ligne : payez par Wave ou par carte, ou au guichet.",
        "This means of payment cannot be used online: pay with Wave or by card, or at the counter.",
    ),
    "gateways.GATEWAY_NOT_CONFIGURED": (
        "Le paiement en ligne par {provider} n'est pas ouvert pour cette mutuelle.",
        "Online payment with {provider} is not open for this mutual.",
    ),
    "gateways.INVALID_KEY": (
        "Cette clé doit compter de {minimum} à {maximum} caractères, sans espace.",
        "This key must be {minimum} to {maximum} characters, without spaces.",
    ),
    "gateways.GATEWAY_UNAVAILABLE": (
        "{provider} ne répond pas pour l'instant. Réessayez dans un moment : vous ne paierez qu'une fois.",
        "{provider} is not answering right now. Try again in a moment: you will pay only once.",
    ),
    "gateways.GATEWAY_REFUSED": (
        "{provider} a refusé de lancer le paiement ({code}).",
        "{provider} refused to start the payment ({code}).",
    ),
    "gateways.CHECKOUT_NOT_FOUND": ("Paiement en ligne introuvable.", "Online payment not found."),
    "gateways.CHECKOUT_NOT_REFUNDABLE": (
        "Seul un paiement en ligne reçu peut être remboursé.",
        "Only an online payment that was received can be refunded.",
    ),
    "gateways.CHECKOUT_KEY_REUSED": (
        "Cette clé d'idempotence a déjà servi pour un autre paiement en ligne : chaque paiement a sa clé.",
        "This idempotency key was already used for another online payment: each payment has its own key.",
    ),
}

CONTRIBUTION_MESSAGES: dict[str, dict[str, str]] = {code: {"fr": fr, "en": en} for code, (fr, en) in _TEXTS.items()}
