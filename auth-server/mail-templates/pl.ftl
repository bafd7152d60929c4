# Mail texts, Polish. The same messages and variables as en.ftl (see the notes there). $duration is in the
# nominative ("1 minuta", "2 minuty", "5 minut"), so the sentences name it as a label ("Czas ważności: ...").

## Shared pieces

minutes = { $count ->
    [one] { $count } minuta
    [few] { $count } minuty
    [many] { $count } minut
   *[other] { $count } minuty
}
days = { $count ->
    [one] { $count } dzień
    [few] { $count } dni
    [many] { $count } dni
   *[other] { $count } dnia
}

browser-unknown = nieznana przeglądarka (nie wysłała nagłówka User-Agent)
browser-reported = { $summary } (przedstawiła się jako „{ $reported }”)
browser-on-system = { $browser } w systemie { $system }
browser-generic = przeglądarka
system-unknown = nieznanym
network-unknown = nieznana

requested-code =
    Ten kod został zamówiony { $at }.
    Przeglądarka: { $browser }.
    Sieć: { $network }.
requested-link =
    Ten link został zamówiony { $at }.
    Przeglądarka: { $browser }.
    Sieć: { $network }.
requested-change =
    Ta zmiana została zlecona { $at }.
    Przeglądarka: { $browser }.
    Sieć: { $network }.

passkey-created-reported = utworzony { $at } przez przeglądarkę, która przedstawiła się jako „{ $agent }”
passkey-created-unidentified = utworzony { $at } przez przeglądarkę, która się nie przedstawiła

## One-time code

otp-subject = Twój kod do { $app }
otp-intro = Twój jednorazowy kod do { $app } to:
otp-expiry = Czas ważności: { $duration }.
otp-if-not-you = Jeśli to nie Ty: nie podawaj nikomu kodu i nie wpisuj go na stronie, której sam nie otworzyłeś. Bez niego nikt się nie zaloguje, a kod sam wygaśnie; ktoś tylko wpisał Twój adres. Jeśli to się powtarza, zgłoś to pomocy technicznej aplikacji.

## Magic link

magic-link-subject = Twój link do logowania w { $app }
magic-link-intro = Otwórz ten link, aby zalogować się do { $app }:
magic-link-expiry = Czas ważności: { $duration }. Link działa jeden raz.
magic-link-if-not-you = Jeśli to nie Ty: nie otwieraj linku i nie przekazuj go dalej. Otwarcie go zalogowałoby przeglądarkę, która o niego poprosiła, gdziekolwiek się znajduje. Nikt nie może go użyć, dopóki nie zostanie otwarty, a link sam wygaśnie; ktoś tylko wpisał Twój adres. Jeśli to się powtarza, zgłoś to pomocy technicznej aplikacji.
app-magic-link-intro = { $app } wysyła Ci ten link do logowania:
app-magic-link-expiry = Czas ważności: { $duration }. Link działa jeden raz i loguje przeglądarkę, w której go otworzysz: nie przekazuj go dalej.

## Passkey confirmation

passkey-confirmation-subject = Potwierdź nowy klucz dostępu do konta w { $app }
passkey-confirmation-intro = Właśnie zarejestrowano klucz dostępu do { $app } z tym adresem e-mail ({ $address }):
passkey-confirmation-keep = Jeśli to Ty, otwórz ten link, aby zachować klucz dostępu (działa jeden raz; czas ważności: { $duration }):
passkey-confirmation-if-not-you = Jeśli to nie Ty, nie otwieraj linku. Ktoś może próbować przejąć konto w Twoim imieniu: zaloguj się do { $app } jednorazowym kodem lub linkiem wysłanym na ten adres, a każdy nigdy niepotwierdzony klucz dostępu zostanie usunięty, a jego sesje zakończone. Dopóki go nie potwierdzisz albo nie zalogujesz się w ten sposób, można się nim logować.

## Passkeys removed when the address was proven

provisional-removed-subject = Z Twojego konta w { $app } usunięto klucze dostępu
provisional-removed-intro = Właśnie potwierdziłeś, że ten adres ({ $address }) należy do Ciebie. Poniższe klucze dostępu zarejestrowano dla niego wcześniej i nigdy nie zostały potwierdzone linkiem, który wysłaliśmy, więc je usunięto, a wszystkie rozpoczęte nimi sesje zakończono:
provisional-removed-why = Dlaczego: każdy może rozpocząć rejestrację z dowolnym adresem, więc klucz dostępu liczy się dopiero wtedy, gdy potwierdzi go właściciel adresu. Jeśli któryś z nich był Twój, dodaj go ponownie: po zalogowaniu wybierz „dodaj klucz dostępu” (formularz logowania proponuje to zaraz po zalogowaniu kodem lub linkiem).

## Passkey added or removed

passkey-added-subject = Do Twojego konta w { $app } dodano klucz dostępu
passkey-added-intro = Do Twojego konta w { $app } ({ $address }) dodano klucz dostępu:
passkey-added-if-not-you = Jeśli to Ty, nic nie musisz robić. Jeśli nie, ktoś ma dostęp do Twojego konta: zaloguj się jednorazowym kodem lub linkiem, usuń na stronie konta klucz dostępu, którego nie rozpoznajesz, i wyloguj pozostałe sesje.
passkey-removed-subject = Z Twojego konta w { $app } usunięto klucz dostępu
passkey-removed-intro = Z Twojego konta w { $app } ({ $address }) usunięto klucz dostępu; nie można się już nim zalogować, a rozpoczęte nim sesje zakończono:
passkey-removed-if-not-you = Jeśli to Ty, nic nie musisz robić. Jeśli nie, ktoś ma dostęp do Twojego konta: zaloguj się jednorazowym kodem lub linkiem, sprawdź klucze dostępu na stronie konta i wyloguj pozostałe sesje.

## E-mail change

email-change-link-subject = Potwierdź nowy adres e-mail w { $app }
email-change-link-intro = Ktoś zalogowany w { $app } poprosił, aby od teraz jego konto używało tego adresu ({ $address }). Otwórz ten link, aby go potwierdzić; link także Cię zaloguje:
email-change-link-expiry = Czas ważności: { $duration }. Link działa jeden raz. Dopóki nie zostanie otwarty, konto zachowuje stary adres.
email-change-link-if-not-you = Jeśli to nie Ty: nie otwieraj linku. Nic się nie zmieni, dopóki nie zostanie otwarty, a link sam wygaśnie; ktoś tylko wpisał Twój adres. Jeśli to się powtarza, zgłoś to pomocy technicznej aplikacji.
email-change-requested-subject = Adres e-mail Twojego konta w { $app } wkrótce się zmieni
email-change-requested-body = Ktoś zalogowany na Twoim koncie w { $app } ({ $address }) poprosił o zmianę jego adresu e-mail na { $new_address }. Wysłaliśmy link na tamten adres; konto przejdzie na niego dopiero po otwarciu linku (czas ważności: { $duration }).
email-change-requested-if-not-you = Jeśli to nie Ty: ktoś inny jest zalogowany na Twoim koncie. Zaloguj się, wyloguj wszystkie sesje na stronie konta i sprawdź swoje klucze dostępu. Po otwarciu linku kody i linki nie będą już wysyłane na ten adres.
email-changed-subject = Adres e-mail Twojego konta w { $app } został zmieniony
email-changed-body = Adres e-mail Twojego konta w { $app } zmieniono z { $address } na { $new_address }: link wysłany na nowy adres został otwarty. Kody i linki do logowania trafiają teraz na { $new_address }, a tutaj nie są już wysyłane.
email-changed-if-not-you = Jeśli to Ty, nic nie musisz robić. Jeśli nie, ktoś inny przejął Twoje konto: skontaktuj się z pomocą techniczną aplikacji.
