# Mail texts, English: the reference for every other language (a test checks that each file has every message of
# this one and uses no variable this one does not). Plain text. One message per paragraph; a paragraph is one line
# here (a line break in a message is a line break in the mail). Codes and links are never in a message: the server
# puts each on a line of its own between paragraphs.
#
# Variables: $app the app's name, $address the recipient's e-mail address, $new_address the other address of an
# e-mail change, $duration a "minutes" or "days" text, $count a whole number (selects the plural form), $at a time
# as "2026-12-01 10:00:00 UTC", $browser a "browser-..." text, $network "203.0.113.0/24", $summary a
# "browser-on-system" text, $system and $agent and $reported what a browser says about itself.

## Shared pieces

# How long a code or link works, rounded up to whole minutes (1 to 10).
minutes = { $count ->
    [one] { $count } minute
   *[other] { $count } minutes
}
# How long a passkey's confirmation link works.
days = { $count ->
    [one] { $count } day
   *[other] { $count } days
}

# The browser that asked, as the notice paragraph names it. Product names (Firefox, Windows, ...) stay as they are.
browser-unknown = an unknown browser (it sent no User-Agent)
browser-reported = { $summary } (reported as "{ $reported }")
browser-on-system = { $browser } on { $system }
browser-generic = a browser
system-unknown = an unknown system
network-unknown = unknown

# The notice that ends every mail sent because someone asked for it: when, from which browser, from which network.
requested-code =
    This code was requested at { $at }
    from { $browser }
    on the network { $network }.
requested-link =
    This link was requested at { $at }
    from { $browser }
    on the network { $network }.
requested-change =
    This change was requested at { $at }
    from { $browser }
    on the network { $network }.

# A passkey as the account mails name it.
passkey-created-reported = created { $at } by a browser that reported itself as "{ $agent }"
passkey-created-unidentified = created { $at } by a browser that did not identify itself

## One-time code (the code follows the intro, on its own line)

otp-subject = Your { $app } code
otp-intro = Your one-time code for { $app } is:
otp-expiry = It expires in { $duration }.
otp-if-not-you = If that was not you: do not give the code to anyone and do not type it into a page you did not open yourself. Nobody can sign in without it, and it expires on its own; someone only typed your address. If this keeps happening, tell the app's support.

## Magic link (the link follows the intro, on its own line)

magic-link-subject = Your { $app } sign-in link
magic-link-intro = Open this link to sign in to { $app }:
magic-link-expiry = It expires in { $duration } and works once.
magic-link-if-not-you = If that was not you: do not open the link, and do not forward it. Opening it would sign in the browser that asked for it, wherever that is. Nobody can use it unless it is opened, and it expires on its own; someone only typed your address. If this keeps happening, tell the app's support.

# A link the app itself asked for (no browser asked: it signs in whichever browser opens it). Subject: magic-link-subject.
app-magic-link-intro = { $app } sent you this link to sign in:
app-magic-link-expiry = It expires in { $duration } and works once. It signs in the browser you open it in: do not forward it.

## A passkey registered for an address nobody has proven yet (the link follows "keep", on its own line)

passkey-confirmation-subject = Confirm the new passkey for your { $app } account
passkey-confirmation-intro = A passkey was just registered for { $app } with this e-mail address ({ $address }):
passkey-confirmation-keep = If this was you, open this link to keep the passkey (it works once, for { $duration }):
passkey-confirmation-if-not-you = If this was not you, do not open the link. Someone may be trying to take over an account in your name: sign in to { $app } with a one-time code or link sent to this address, and every passkey that was never confirmed is removed and its sessions are ended. Until you confirm it or sign in that way, the passkey can be used to sign in.

## Passkeys never confirmed were removed when the address was proven (the list follows the intro)

provisional-removed-subject = Passkeys were removed from your { $app } account
provisional-removed-intro = You just proved that this address ({ $address }) is yours. These passkeys had been registered for it before that and were never confirmed through the link we sent, so they were removed and every session they started was ended:
provisional-removed-why = Why: anyone can start a registration with any address, so a passkey counts only once the owner of the address has confirmed it. If one of them was yours, add it again: after signing in, choose "add a passkey" (the sign-in form offers it right after a code or link sign-in).

## A passkey was added to or removed from the account (the passkey follows the intro)

passkey-added-subject = A passkey was added to your { $app } account
passkey-added-intro = A passkey was added to your { $app } account ({ $address }):
passkey-added-if-not-you = If this was you, there is nothing to do. If it was not, someone has access to your account: sign in with a one-time code or link, remove the passkey you do not recognise from your account page, and sign out your other sessions.
passkey-removed-subject = A passkey was removed from your { $app } account
passkey-removed-intro = A passkey was removed from your { $app } account ({ $address }); it can no longer sign in, and the sessions it started were ended:
passkey-removed-if-not-you = If this was you, there is nothing to do. If it was not, someone has access to your account: sign in with a one-time code or link, check the passkeys on your account page, and sign out your other sessions.

## E-mail change: the link to the new address (it follows the intro, on its own line), the notice to the old one

email-change-link-subject = Confirm your new { $app } e-mail address
email-change-link-intro = Someone signed in to { $app } asked to use this address ({ $address }) for their account from now on. Open this link to confirm it; it also signs you in:
email-change-link-expiry = It expires in { $duration } and works once. Until it is opened, the account keeps its old address.
email-change-link-if-not-you = If that was not you: do not open the link. Nothing changes unless it is opened, and it expires on its own; someone only typed your address. If this keeps happening, tell the app's support.
email-change-requested-subject = Your { $app } e-mail address is about to change
email-change-requested-body = Someone signed in to your { $app } account ({ $address }) asked to change its e-mail address to { $new_address }. We sent a link to that address; the account moves to it only when the link is opened (within { $duration }).
email-change-requested-if-not-you = If that was not you: someone else is signed in to your account. Sign in, sign out all sessions on your account page, and check your passkeys. Once the link is opened, codes and links are no longer sent to this address.
email-changed-subject = Your { $app } e-mail address was changed
email-changed-body = The e-mail address of your { $app } account was changed from { $address } to { $new_address }: the link sent to the new address was opened. Codes and sign-in links now go to { $new_address }, and none are sent here.
email-changed-if-not-you = If this was you, there is nothing to do. If it was not, someone else has your account: contact the app's support.
