# Mail texts, German. The same messages and variables as en.ftl (see the notes there).

## Shared pieces

minutes = { $count ->
    [one] { $count } Minute
   *[other] { $count } Minuten
}
days = { $count ->
    [one] { $count } Tag
   *[other] { $count } Tage
}

browser-unknown = einem unbekannten Browser (er hat keinen User-Agent gesendet)
browser-reported = { $summary } (meldete sich als „{ $reported }“)
browser-on-system = { $browser } unter { $system }
browser-generic = einem Browser
system-unknown = einem unbekannten System
network-unknown = unbekannt

requested-code =
    Dieser Code wurde am { $at } angefordert,
    von { $browser },
    im Netz { $network }.
requested-link =
    Dieser Link wurde am { $at } angefordert,
    von { $browser },
    im Netz { $network }.
requested-change =
    Diese Änderung wurde am { $at } angefordert,
    von { $browser },
    im Netz { $network }.

passkey-created-reported = erstellt am { $at } von einem Browser, der sich als „{ $agent }“ meldete
passkey-created-unidentified = erstellt am { $at } von einem Browser, der sich nicht zu erkennen gab

## One-time code

otp-subject = Ihr Code für { $app }
otp-intro = Ihr Einmalcode für { $app } lautet:
otp-expiry = Gültigkeit: { $duration }.
otp-if-not-you = Falls Sie das nicht waren: Geben Sie den Code niemandem weiter und tippen Sie ihn nicht in eine Seite ein, die Sie nicht selbst geöffnet haben. Ohne ihn kann sich niemand anmelden, und er verfällt von selbst; jemand hat nur Ihre Adresse eingegeben. Wenn das immer wieder passiert, wenden Sie sich an den Support der App.

## Magic link

magic-link-subject = Ihr Anmeldelink für { $app }
magic-link-intro = Öffnen Sie diesen Link, um sich bei { $app } anzumelden:
magic-link-expiry = Gültigkeit: { $duration }, nur einmal verwendbar.
magic-link-if-not-you = Falls Sie das nicht waren: Öffnen Sie den Link nicht und leiten Sie ihn nicht weiter. Das Öffnen würde den Browser anmelden, der ihn angefordert hat, wo auch immer er ist. Niemand kann ihn verwenden, solange er nicht geöffnet wird, und er verfällt von selbst; jemand hat nur Ihre Adresse eingegeben. Wenn das immer wieder passiert, wenden Sie sich an den Support der App.
app-magic-link-intro = { $app } hat Ihnen diesen Link zum Anmelden geschickt:
app-magic-link-expiry = Gültigkeit: { $duration }, nur einmal verwendbar. Er meldet den Browser an, in dem Sie ihn öffnen: Leiten Sie ihn nicht weiter.

## Passkey confirmation

passkey-confirmation-subject = Bestätigen Sie den neuen Passkey für Ihr { $app }-Konto
passkey-confirmation-intro = Soeben wurde für { $app } ein Passkey mit dieser E-Mail-Adresse ({ $address }) registriert:
passkey-confirmation-keep = Wenn Sie das waren, öffnen Sie diesen Link, um den Passkey zu behalten (er funktioniert einmal, für { $duration }):
passkey-confirmation-if-not-you = Wenn Sie das nicht waren, öffnen Sie den Link nicht. Möglicherweise versucht jemand, ein Konto in Ihrem Namen zu übernehmen: Melden Sie sich bei { $app } mit einem Einmalcode oder einem Link an, der an diese Adresse geschickt wird; dann wird jeder nie bestätigte Passkey entfernt und seine Sitzungen werden beendet. Solange Sie ihn nicht bestätigen oder sich nicht so anmelden, kann mit dem Passkey angemeldet werden.

## Passkeys removed when the address was proven

provisional-removed-subject = Passkeys wurden aus Ihrem { $app }-Konto entfernt
provisional-removed-intro = Sie haben gerade nachgewiesen, dass diese Adresse ({ $address }) Ihnen gehört. Die folgenden Passkeys waren vorher für sie registriert und wurden nie über den von uns gesendeten Link bestätigt; deshalb wurden sie entfernt und alle Sitzungen, die sie begonnen hatten, beendet:
provisional-removed-why = Warum: Jeder kann eine Registrierung mit jeder beliebigen Adresse beginnen, daher zählt ein Passkey erst, wenn der Inhaber der Adresse ihn bestätigt hat. Wenn einer davon Ihrer war, fügen Sie ihn erneut hinzu: Wählen Sie nach der Anmeldung „Passkey hinzufügen“ (das Anmeldeformular bietet es direkt nach einer Anmeldung per Code oder Link an).

## Passkey added or removed

passkey-added-subject = Ihrem { $app }-Konto wurde ein Passkey hinzugefügt
passkey-added-intro = Ihrem { $app }-Konto ({ $address }) wurde ein Passkey hinzugefügt:
passkey-added-if-not-you = Wenn Sie das waren, ist nichts zu tun. Wenn nicht, hat jemand Zugriff auf Ihr Konto: Melden Sie sich mit einem Einmalcode oder Link an, entfernen Sie auf Ihrer Kontoseite den Passkey, den Sie nicht kennen, und melden Sie Ihre anderen Sitzungen ab.
passkey-removed-subject = Aus Ihrem { $app }-Konto wurde ein Passkey entfernt
passkey-removed-intro = Aus Ihrem { $app }-Konto ({ $address }) wurde ein Passkey entfernt; mit ihm kann man sich nicht mehr anmelden, und die Sitzungen, die er begonnen hatte, wurden beendet:
passkey-removed-if-not-you = Wenn Sie das waren, ist nichts zu tun. Wenn nicht, hat jemand Zugriff auf Ihr Konto: Melden Sie sich mit einem Einmalcode oder Link an, prüfen Sie die Passkeys auf Ihrer Kontoseite und melden Sie Ihre anderen Sitzungen ab.

## E-mail change

email-change-link-subject = Bestätigen Sie Ihre neue E-Mail-Adresse für { $app }
email-change-link-intro = Jemand, der bei { $app } angemeldet ist, möchte diese Adresse ({ $address }) ab jetzt für sein Konto verwenden. Öffnen Sie diesen Link, um sie zu bestätigen; er meldet Sie auch an:
email-change-link-expiry = Gültigkeit: { $duration }, nur einmal verwendbar. Bis er geöffnet wird, behält das Konto seine alte Adresse.
email-change-link-if-not-you = Falls Sie das nicht waren: Öffnen Sie den Link nicht. Nichts ändert sich, solange er nicht geöffnet wird, und er verfällt von selbst; jemand hat nur Ihre Adresse eingegeben. Wenn das immer wieder passiert, wenden Sie sich an den Support der App.
email-change-requested-subject = Die E-Mail-Adresse Ihres { $app }-Kontos wird gleich geändert
email-change-requested-body = Jemand, der in Ihrem { $app }-Konto ({ $address }) angemeldet ist, möchte dessen E-Mail-Adresse in { $new_address } ändern. Wir haben einen Link an diese Adresse geschickt; das Konto wechselt erst zu ihr, wenn der Link geöffnet wird (innerhalb von { $duration }).
email-change-requested-if-not-you = Falls Sie das nicht waren: Jemand anderes ist in Ihrem Konto angemeldet. Melden Sie sich an, melden Sie auf Ihrer Kontoseite alle Sitzungen ab und prüfen Sie Ihre Passkeys. Sobald der Link geöffnet ist, werden keine Codes und Links mehr an diese Adresse geschickt.
email-changed-subject = Die E-Mail-Adresse Ihres { $app }-Kontos wurde geändert
email-changed-body = Die E-Mail-Adresse Ihres { $app }-Kontos wurde von { $address } in { $new_address } geändert: Der an die neue Adresse geschickte Link wurde geöffnet. Codes und Anmeldelinks gehen jetzt an { $new_address }, hierher wird keiner mehr geschickt.
email-changed-if-not-you = Wenn Sie das waren, ist nichts zu tun. Wenn nicht, hat jemand anderes Ihr Konto: Wenden Sie sich an den Support der App.
