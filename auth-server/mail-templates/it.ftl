# Mail texts, Italian. The same messages and variables as en.ftl (see the notes there).

## Shared pieces

minutes = { $count ->
    [one] { $count } minuto
   *[other] { $count } minuti
}
days = { $count ->
    [one] { $count } giorno
   *[other] { $count } giorni
}

browser-unknown = un browser sconosciuto (non ha inviato alcun User-Agent)
browser-reported = { $summary } (dichiaratosi come "{ $reported }")
browser-on-system = { $browser } su { $system }
browser-generic = un browser
system-unknown = un sistema sconosciuto
network-unknown = sconosciuta

requested-code =
    Questo codice è stato richiesto il { $at }
    da { $browser }
    sulla rete { $network }.
requested-link =
    Questo link è stato richiesto il { $at }
    da { $browser }
    sulla rete { $network }.
requested-change =
    Questa modifica è stata richiesta il { $at }
    da { $browser }
    sulla rete { $network }.

passkey-created-reported = creata il { $at } da un browser che si è dichiarato come "{ $agent }"
passkey-created-unidentified = creata il { $at } da un browser che non si è identificato

## One-time code

otp-subject = Il tuo codice per { $app }
otp-intro = Il tuo codice monouso per { $app } è:
otp-expiry = Scade tra { $duration }.
otp-if-not-you = Se non sei stato tu: non dare il codice a nessuno e non inserirlo in una pagina che non hai aperto tu. Nessuno può accedere senza di esso, e scade da solo; qualcuno ha solo digitato il tuo indirizzo. Se continua a succedere, avvisa l'assistenza dell'app.

## Magic link

magic-link-subject = Il tuo link di accesso a { $app }
magic-link-intro = Apri questo link per accedere a { $app }:
magic-link-expiry = Scade tra { $duration } e funziona una sola volta.
magic-link-if-not-you = Se non sei stato tu: non aprire il link e non inoltrarlo. Aprirlo farebbe accedere il browser che lo ha richiesto, ovunque si trovi. Nessuno può usarlo se non viene aperto, e scade da solo; qualcuno ha solo digitato il tuo indirizzo. Se continua a succedere, avvisa l'assistenza dell'app.
app-magic-link-intro = { $app } ti ha inviato questo link per accedere:
app-magic-link-expiry = Scade tra { $duration } e funziona una sola volta. Fa accedere il browser in cui lo apri: non inoltrarlo.

## Passkey confirmation

passkey-confirmation-subject = Conferma la nuova passkey del tuo account { $app }
passkey-confirmation-intro = È appena stata registrata una passkey per { $app } con questo indirizzo e-mail ({ $address }):
passkey-confirmation-keep = Se sei stato tu, apri questo link per tenere la passkey (funziona una volta, per { $duration }):
passkey-confirmation-if-not-you = Se non sei stato tu, non aprire il link. Qualcuno potrebbe cercare di impossessarsi di un account a tuo nome: accedi a { $app } con un codice monouso o un link inviato a questo indirizzo, e ogni passkey mai confermata verrà rimossa e le sue sessioni chiuse. Finché non la confermi o non accedi in questo modo, la passkey può essere usata per accedere.

## Passkeys removed when the address was proven

provisional-removed-subject = Alcune passkey sono state rimosse dal tuo account { $app }
provisional-removed-intro = Hai appena dimostrato che questo indirizzo ({ $address }) è tuo. Le passkey qui sotto erano state registrate per esso prima di allora e non sono mai state confermate tramite il link che abbiamo inviato, quindi sono state rimosse e tutte le sessioni che avevano avviato sono state chiuse:
provisional-removed-why = Perché: chiunque può avviare una registrazione con qualsiasi indirizzo, quindi una passkey vale solo dopo che il titolare dell'indirizzo l'ha confermata. Se una di queste era tua, aggiungila di nuovo: dopo l'accesso, scegli "aggiungi una passkey" (il modulo di accesso lo propone subito dopo un accesso con codice o link).

## Passkey added or removed

passkey-added-subject = È stata aggiunta una passkey al tuo account { $app }
passkey-added-intro = È stata aggiunta una passkey al tuo account { $app } ({ $address }):
passkey-added-if-not-you = Se sei stato tu, non devi fare nulla. Altrimenti qualcuno ha accesso al tuo account: accedi con un codice monouso o un link, rimuovi dalla pagina del tuo account la passkey che non riconosci e disconnetti le altre sessioni.
passkey-removed-subject = È stata rimossa una passkey dal tuo account { $app }
passkey-removed-intro = È stata rimossa una passkey dal tuo account { $app } ({ $address }); non permette più di accedere, e le sessioni che aveva avviato sono state chiuse:
passkey-removed-if-not-you = Se sei stato tu, non devi fare nulla. Altrimenti qualcuno ha accesso al tuo account: accedi con un codice monouso o un link, controlla le passkey nella pagina del tuo account e disconnetti le altre sessioni.

## E-mail change

email-change-link-subject = Conferma il tuo nuovo indirizzo e-mail per { $app }
email-change-link-intro = Una persona che ha effettuato l'accesso a { $app } ha chiesto di usare d'ora in poi questo indirizzo ({ $address }) per il proprio account. Apri questo link per confermarlo; ti fa anche accedere:
email-change-link-expiry = Scade tra { $duration } e funziona una sola volta. Finché non viene aperto, l'account mantiene il vecchio indirizzo.
email-change-link-if-not-you = Se non sei stato tu: non aprire il link. Non cambia nulla se non viene aperto, e scade da solo; qualcuno ha solo digitato il tuo indirizzo. Se continua a succedere, avvisa l'assistenza dell'app.
email-change-requested-subject = L'indirizzo e-mail del tuo account { $app } sta per cambiare
email-change-requested-body = Una persona che ha effettuato l'accesso al tuo account { $app } ({ $address }) ha chiesto di cambiarne l'indirizzo e-mail in { $new_address }. Abbiamo inviato un link a quell'indirizzo; l'account passa a esso solo quando il link viene aperto (entro { $duration }).
email-change-requested-if-not-you = Se non sei stato tu: qualcun altro ha effettuato l'accesso al tuo account. Accedi, disconnetti tutte le sessioni dalla pagina del tuo account e controlla le tue passkey. Una volta aperto il link, codici e link non vengono più inviati a questo indirizzo.
email-changed-subject = L'indirizzo e-mail del tuo account { $app } è stato cambiato
email-changed-body = L'indirizzo e-mail del tuo account { $app } è stato cambiato da { $address } a { $new_address }: il link inviato al nuovo indirizzo è stato aperto. Codici e link di accesso ora vanno a { $new_address }, e qui non ne arrivano più.
email-changed-if-not-you = Se sei stato tu, non devi fare nulla. Altrimenti qualcun altro ha il tuo account: contatta l'assistenza dell'app.
