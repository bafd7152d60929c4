# Mail texts, French. The same messages and variables as en.ftl (see the notes there).

## Shared pieces

minutes = { $count ->
    [one] { $count } minute
   *[other] { $count } minutes
}
days = { $count ->
    [one] { $count } jour
   *[other] { $count } jours
}

browser-unknown = un navigateur inconnu (il n'a envoyé aucun User-Agent)
browser-reported = { $summary } (se présentant comme « { $reported } »)
browser-on-system = { $browser } sous { $system }
browser-generic = un navigateur
system-unknown = un système inconnu
network-unknown = inconnu

requested-code =
    Ce code a été demandé le { $at }
    depuis { $browser }
    sur le réseau { $network }.
requested-link =
    Ce lien a été demandé le { $at }
    depuis { $browser }
    sur le réseau { $network }.
requested-change =
    Cette modification a été demandée le { $at }
    depuis { $browser }
    sur le réseau { $network }.

passkey-created-reported = créée le { $at } par un navigateur qui s'est présenté comme « { $agent } »
passkey-created-unidentified = créée le { $at } par un navigateur qui ne s'est pas identifié

## One-time code

otp-subject = Votre code { $app }
otp-intro = Votre code à usage unique pour { $app } est :
otp-expiry = Il expire dans { $duration }.
otp-if-not-you = Si ce n'était pas vous : ne donnez ce code à personne et ne le saisissez pas dans une page que vous n'avez pas ouverte vous-même. Personne ne peut se connecter sans lui, et il expire de lui-même ; quelqu'un a seulement saisi votre adresse. Si cela se reproduit, prévenez le support de l'application.

## Magic link

magic-link-subject = Votre lien de connexion { $app }
magic-link-intro = Ouvrez ce lien pour vous connecter à { $app } :
magic-link-expiry = Il expire dans { $duration } et ne fonctionne qu'une fois.
magic-link-if-not-you = Si ce n'était pas vous : n'ouvrez pas le lien et ne le transférez pas. L'ouvrir connecterait le navigateur qui l'a demandé, où qu'il se trouve. Personne ne peut l'utiliser tant qu'il n'est pas ouvert, et il expire de lui-même ; quelqu'un a seulement saisi votre adresse. Si cela se reproduit, prévenez le support de l'application.
app-magic-link-intro = { $app } vous a envoyé ce lien pour vous connecter :
app-magic-link-expiry = Il expire dans { $duration } et ne fonctionne qu'une fois. Il connecte le navigateur dans lequel vous l'ouvrez : ne le transférez pas.

## Passkey confirmation

passkey-confirmation-subject = Confirmez la nouvelle clé d'accès de votre compte { $app }
passkey-confirmation-intro = Une clé d'accès vient d'être enregistrée pour { $app } avec cette adresse e-mail ({ $address }) :
passkey-confirmation-keep = Si c'était vous, ouvrez ce lien pour conserver la clé d'accès (il ne fonctionne qu'une fois, pendant { $duration }) :
passkey-confirmation-if-not-you = Si ce n'était pas vous, n'ouvrez pas le lien. Quelqu'un essaie peut-être de prendre le contrôle d'un compte à votre nom : connectez-vous à { $app } avec un code à usage unique ou un lien envoyé à cette adresse, et toute clé d'accès jamais confirmée sera supprimée et ses sessions fermées. Tant que vous ne l'avez pas confirmée ou ne vous êtes pas connecté ainsi, cette clé d'accès permet de se connecter.

## Passkeys removed when the address was proven

provisional-removed-subject = Des clés d'accès ont été supprimées de votre compte { $app }
provisional-removed-intro = Vous venez de prouver que cette adresse ({ $address }) est la vôtre. Les clés d'accès ci-dessous avaient été enregistrées pour elle auparavant et n'ont jamais été confirmées par le lien que nous avons envoyé : elles ont donc été supprimées, et toutes les sessions qu'elles avaient ouvertes ont été fermées :
provisional-removed-why = Pourquoi : n'importe qui peut commencer une inscription avec n'importe quelle adresse ; une clé d'accès ne compte donc qu'une fois confirmée par le propriétaire de l'adresse. Si l'une d'elles était la vôtre, ajoutez-la à nouveau : après vous être connecté, choisissez « ajouter une clé d'accès » (le formulaire de connexion le propose juste après une connexion par code ou par lien).

## Passkey added or removed

passkey-added-subject = Une clé d'accès a été ajoutée à votre compte { $app }
passkey-added-intro = Une clé d'accès a été ajoutée à votre compte { $app } ({ $address }) :
passkey-added-if-not-you = Si c'était vous, il n'y a rien à faire. Sinon, quelqu'un a accès à votre compte : connectez-vous avec un code à usage unique ou un lien, supprimez sur la page de votre compte la clé d'accès que vous ne reconnaissez pas, et déconnectez vos autres sessions.
passkey-removed-subject = Une clé d'accès a été supprimée de votre compte { $app }
passkey-removed-intro = Une clé d'accès a été supprimée de votre compte { $app } ({ $address }) ; elle ne permet plus de se connecter, et les sessions qu'elle avait ouvertes ont été fermées :
passkey-removed-if-not-you = Si c'était vous, il n'y a rien à faire. Sinon, quelqu'un a accès à votre compte : connectez-vous avec un code à usage unique ou un lien, vérifiez les clés d'accès sur la page de votre compte, et déconnectez vos autres sessions.

## E-mail change

email-change-link-subject = Confirmez votre nouvelle adresse e-mail pour { $app }
email-change-link-intro = Une personne connectée à { $app } a demandé à utiliser désormais cette adresse ({ $address }) pour son compte. Ouvrez ce lien pour la confirmer ; il vous connecte aussi :
email-change-link-expiry = Il expire dans { $duration } et ne fonctionne qu'une fois. Tant qu'il n'est pas ouvert, le compte garde son ancienne adresse.
email-change-link-if-not-you = Si ce n'était pas vous : n'ouvrez pas le lien. Rien ne change tant qu'il n'est pas ouvert, et il expire de lui-même ; quelqu'un a seulement saisi votre adresse. Si cela se reproduit, prévenez le support de l'application.
email-change-requested-subject = L'adresse e-mail de votre compte { $app } va changer
email-change-requested-body = Une personne connectée à votre compte { $app } ({ $address }) a demandé à remplacer son adresse e-mail par { $new_address }. Nous avons envoyé un lien à cette adresse ; le compte n'y passe que lorsque le lien est ouvert (dans un délai de { $duration }).
email-change-requested-if-not-you = Si ce n'était pas vous : quelqu'un d'autre est connecté à votre compte. Connectez-vous, déconnectez toutes les sessions sur la page de votre compte et vérifiez vos clés d'accès. Une fois le lien ouvert, les codes et les liens ne sont plus envoyés à cette adresse.
email-changed-subject = L'adresse e-mail de votre compte { $app } a été modifiée
email-changed-body = L'adresse e-mail de votre compte { $app } est passée de { $address } à { $new_address } : le lien envoyé à la nouvelle adresse a été ouvert. Les codes et les liens de connexion sont désormais envoyés à { $new_address }, et plus aucun ici.
email-changed-if-not-you = Si c'était vous, il n'y a rien à faire. Sinon, quelqu'un d'autre a pris votre compte : contactez le support de l'application.
