# Mail texts, Dutch. The same messages and variables as en.ftl (see the notes there).

## Shared pieces

minutes = { $count ->
    [one] { $count } minuut
   *[other] { $count } minuten
}
days = { $count ->
    [one] { $count } dag
   *[other] { $count } dagen
}

browser-unknown = een onbekende browser (die geen User-Agent stuurde)
browser-reported = { $summary } (die zich meldde als "{ $reported }")
browser-on-system = { $browser } op { $system }
browser-generic = een browser
system-unknown = een onbekend systeem
network-unknown = onbekend

requested-code =
    Deze code is aangevraagd op { $at }
    vanaf { $browser }
    op het netwerk { $network }.
requested-link =
    Deze link is aangevraagd op { $at }
    vanaf { $browser }
    op het netwerk { $network }.
requested-change =
    Deze wijziging is aangevraagd op { $at }
    vanaf { $browser }
    op het netwerk { $network }.

passkey-created-reported = aangemaakt op { $at } door een browser die zich meldde als "{ $agent }"
passkey-created-unidentified = aangemaakt op { $at } door een browser die zich niet bekendmaakte

## One-time code

otp-subject = Je code voor { $app }
otp-intro = Je eenmalige code voor { $app } is:
otp-expiry = Hij verloopt over { $duration }.
otp-if-not-you = Was jij dit niet? Geef de code dan aan niemand en typ hem niet in op een pagina die je niet zelf hebt geopend. Zonder de code kan niemand inloggen, en hij verloopt vanzelf; iemand heeft alleen je adres ingetypt. Gebeurt dit vaker, meld het dan bij de support van de app.

## Magic link

magic-link-subject = Je inloglink voor { $app }
magic-link-intro = Open deze link om in te loggen bij { $app }:
magic-link-expiry = Hij verloopt over { $duration } en werkt één keer.
magic-link-if-not-you = Was jij dit niet? Open de link dan niet en stuur hem niet door. Openen zou de browser inloggen die hem heeft aangevraagd, waar die ook is. Niemand kan hem gebruiken zolang hij niet geopend wordt, en hij verloopt vanzelf; iemand heeft alleen je adres ingetypt. Gebeurt dit vaker, meld het dan bij de support van de app.
app-magic-link-intro = { $app } heeft je deze link gestuurd om in te loggen:
app-magic-link-expiry = Hij verloopt over { $duration } en werkt één keer. Hij logt de browser in waarin je hem opent: stuur hem niet door.

## Passkey confirmation

passkey-confirmation-subject = Bevestig de nieuwe passkey voor je { $app }-account
passkey-confirmation-intro = Er is zojuist een passkey voor { $app } geregistreerd met dit e-mailadres ({ $address }):
passkey-confirmation-keep = Was jij dit, open dan deze link om de passkey te houden (hij werkt één keer, { $duration } lang):
passkey-confirmation-if-not-you = Was jij dit niet, open de link dan niet. Misschien probeert iemand een account op jouw naam over te nemen: log in bij { $app } met een eenmalige code of een link die naar dit adres wordt gestuurd, dan wordt elke nooit bevestigde passkey verwijderd en worden de sessies ervan beëindigd. Tot je hem bevestigt of zo inlogt, kan met de passkey worden ingelogd.

## Passkeys removed when the address was proven

provisional-removed-subject = Er zijn passkeys verwijderd uit je { $app }-account
provisional-removed-intro = Je hebt zojuist bewezen dat dit adres ({ $address }) van jou is. De passkeys hieronder waren daarvoor al voor dit adres geregistreerd en zijn nooit bevestigd via de link die we stuurden; daarom zijn ze verwijderd en zijn alle sessies die ze startten beëindigd:
provisional-removed-why = Waarom: iedereen kan een registratie beginnen met elk adres, dus een passkey telt pas als de eigenaar van het adres hem heeft bevestigd. Was er een van jou, voeg hem dan opnieuw toe: kies na het inloggen "een passkey toevoegen" (het inlogformulier biedt dat aan direct na inloggen met een code of link).

## Passkey added or removed

passkey-added-subject = Er is een passkey toegevoegd aan je { $app }-account
passkey-added-intro = Er is een passkey toegevoegd aan je { $app }-account ({ $address }):
passkey-added-if-not-you = Was jij dit, dan hoef je niets te doen. Zo niet, dan heeft iemand toegang tot je account: log in met een eenmalige code of link, verwijder op je accountpagina de passkey die je niet herkent en log je andere sessies uit.
passkey-removed-subject = Er is een passkey verwijderd uit je { $app }-account
passkey-removed-intro = Er is een passkey verwijderd uit je { $app }-account ({ $address }); er kan niet meer mee worden ingelogd, en de sessies die hij startte zijn beëindigd:
passkey-removed-if-not-you = Was jij dit, dan hoef je niets te doen. Zo niet, dan heeft iemand toegang tot je account: log in met een eenmalige code of link, controleer de passkeys op je accountpagina en log je andere sessies uit.

## E-mail change

email-change-link-subject = Bevestig je nieuwe e-mailadres voor { $app }
email-change-link-intro = Iemand die is ingelogd bij { $app } wil voortaan dit adres ({ $address }) voor zijn account gebruiken. Open deze link om het te bevestigen; hij logt je ook in:
email-change-link-expiry = Hij verloopt over { $duration } en werkt één keer. Tot hij geopend wordt, houdt het account zijn oude adres.
email-change-link-if-not-you = Was jij dit niet? Open de link dan niet. Er verandert niets zolang hij niet geopend wordt, en hij verloopt vanzelf; iemand heeft alleen je adres ingetypt. Gebeurt dit vaker, meld het dan bij de support van de app.
email-change-requested-subject = Het e-mailadres van je { $app }-account gaat veranderen
email-change-requested-body = Iemand die is ingelogd op je { $app }-account ({ $address }) wil het e-mailadres ervan wijzigen in { $new_address }. We hebben een link naar dat adres gestuurd; het account gaat pas over naar dat adres als de link geopend wordt (binnen { $duration }).
email-change-requested-if-not-you = Was jij dit niet? Dan is iemand anders ingelogd op je account. Log in, log alle sessies uit op je accountpagina en controleer je passkeys. Zodra de link geopend is, worden codes en links niet meer naar dit adres gestuurd.
email-changed-subject = Het e-mailadres van je { $app }-account is gewijzigd
email-changed-body = Het e-mailadres van je { $app }-account is gewijzigd van { $address } in { $new_address }: de link die naar het nieuwe adres is gestuurd, is geopend. Codes en inloglinks gaan nu naar { $new_address }, en hierheen wordt niets meer gestuurd.
email-changed-if-not-you = Was jij dit, dan hoef je niets te doen. Zo niet, dan heeft iemand anders je account: neem contact op met de support van de app.
