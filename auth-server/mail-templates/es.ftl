# Mail texts, Spanish. The same messages and variables as en.ftl (see the notes there).

## Shared pieces

minutes = { $count ->
    [one] { $count } minuto
   *[other] { $count } minutos
}
days = { $count ->
    [one] { $count } día
   *[other] { $count } días
}

browser-unknown = un navegador desconocido (no envió ningún User-Agent)
browser-reported = { $summary } (identificado como «{ $reported }»)
browser-on-system = { $browser } en { $system }
browser-generic = un navegador
system-unknown = un sistema desconocido
network-unknown = desconocida

requested-code =
    Este código se solicitó el { $at }
    desde { $browser }
    en la red { $network }.
requested-link =
    Este enlace se solicitó el { $at }
    desde { $browser }
    en la red { $network }.
requested-change =
    Este cambio se solicitó el { $at }
    desde { $browser }
    en la red { $network }.

passkey-created-reported = creada el { $at } por un navegador que se identificó como «{ $agent }»
passkey-created-unidentified = creada el { $at } por un navegador que no se identificó

## One-time code

otp-subject = Tu código de { $app }
otp-intro = Tu código de un solo uso para { $app } es:
otp-expiry = Caduca en { $duration }.
otp-if-not-you = Si no fuiste tú: no le des el código a nadie ni lo escribas en una página que no hayas abierto tú. Nadie puede iniciar sesión sin él, y caduca por sí solo; alguien solo escribió tu dirección. Si vuelve a ocurrir, avisa al soporte de la aplicación.

## Magic link

magic-link-subject = Tu enlace de inicio de sesión de { $app }
magic-link-intro = Abre este enlace para iniciar sesión en { $app }:
magic-link-expiry = Caduca en { $duration } y solo funciona una vez.
magic-link-if-not-you = Si no fuiste tú: no abras el enlace ni lo reenvíes. Abrirlo iniciaría la sesión en el navegador que lo pidió, esté donde esté. Nadie puede usarlo si no se abre, y caduca por sí solo; alguien solo escribió tu dirección. Si vuelve a ocurrir, avisa al soporte de la aplicación.
app-magic-link-intro = { $app } te ha enviado este enlace para iniciar sesión:
app-magic-link-expiry = Caduca en { $duration } y solo funciona una vez. Inicia la sesión en el navegador en el que lo abras: no lo reenvíes.

## Passkey confirmation

passkey-confirmation-subject = Confirma la nueva llave de acceso de tu cuenta de { $app }
passkey-confirmation-intro = Se acaba de registrar una llave de acceso para { $app } con esta dirección de correo ({ $address }):
passkey-confirmation-keep = Si fuiste tú, abre este enlace para conservar la llave de acceso (funciona una vez, durante { $duration }):
passkey-confirmation-if-not-you = Si no fuiste tú, no abras el enlace. Puede que alguien intente apoderarse de una cuenta a tu nombre: inicia sesión en { $app } con un código de un solo uso o un enlace enviado a esta dirección, y se eliminarán todas las llaves de acceso nunca confirmadas y se cerrarán sus sesiones. Mientras no la confirmes ni inicies sesión así, esa llave de acceso sirve para iniciar sesión.

## Passkeys removed when the address was proven

provisional-removed-subject = Se eliminaron llaves de acceso de tu cuenta de { $app }
provisional-removed-intro = Acabas de demostrar que esta dirección ({ $address }) es tuya. Las llaves de acceso siguientes se habían registrado para ella antes y nunca se confirmaron con el enlace que enviamos, así que se eliminaron y se cerraron todas las sesiones que habían iniciado:
provisional-removed-why = Por qué: cualquiera puede empezar un registro con cualquier dirección, así que una llave de acceso solo cuenta cuando la confirma el dueño de la dirección. Si alguna era tuya, vuelve a añadirla: después de iniciar sesión, elige «añadir una llave de acceso» (el formulario de inicio de sesión lo ofrece justo después de entrar con un código o un enlace).

## Passkey added or removed

passkey-added-subject = Se añadió una llave de acceso a tu cuenta de { $app }
passkey-added-intro = Se añadió una llave de acceso a tu cuenta de { $app } ({ $address }):
passkey-added-if-not-you = Si fuiste tú, no tienes que hacer nada. Si no, alguien tiene acceso a tu cuenta: inicia sesión con un código de un solo uso o un enlace, elimina en la página de tu cuenta la llave de acceso que no reconozcas y cierra tus otras sesiones.
passkey-removed-subject = Se eliminó una llave de acceso de tu cuenta de { $app }
passkey-removed-intro = Se eliminó una llave de acceso de tu cuenta de { $app } ({ $address }); ya no permite iniciar sesión, y se cerraron las sesiones que había iniciado:
passkey-removed-if-not-you = Si fuiste tú, no tienes que hacer nada. Si no, alguien tiene acceso a tu cuenta: inicia sesión con un código de un solo uso o un enlace, revisa las llaves de acceso en la página de tu cuenta y cierra tus otras sesiones.

## E-mail change

email-change-link-subject = Confirma tu nueva dirección de correo de { $app }
email-change-link-intro = Alguien con sesión iniciada en { $app } pidió usar esta dirección ({ $address }) para su cuenta a partir de ahora. Abre este enlace para confirmarla; también inicia tu sesión:
email-change-link-expiry = Caduca en { $duration } y solo funciona una vez. Hasta que se abra, la cuenta conserva su dirección anterior.
email-change-link-if-not-you = Si no fuiste tú: no abras el enlace. Nada cambia si no se abre, y caduca por sí solo; alguien solo escribió tu dirección. Si vuelve a ocurrir, avisa al soporte de la aplicación.
email-change-requested-subject = La dirección de correo de tu cuenta de { $app } va a cambiar
email-change-requested-body = Alguien con sesión iniciada en tu cuenta de { $app } ({ $address }) pidió cambiar su dirección de correo a { $new_address }. Enviamos un enlace a esa dirección; la cuenta pasa a ella solo cuando se abre el enlace (en un plazo de { $duration }).
email-change-requested-if-not-you = Si no fuiste tú: otra persona tiene la sesión iniciada en tu cuenta. Inicia sesión, cierra todas las sesiones en la página de tu cuenta y revisa tus llaves de acceso. Una vez abierto el enlace, los códigos y enlaces ya no se envían a esta dirección.
email-changed-subject = Se cambió la dirección de correo de tu cuenta de { $app }
email-changed-body = La dirección de correo de tu cuenta de { $app } se cambió de { $address } a { $new_address }: se abrió el enlace enviado a la nueva dirección. Los códigos y enlaces de inicio de sesión ahora van a { $new_address }, y ya no se envía ninguno aquí.
email-changed-if-not-you = Si fuiste tú, no tienes que hacer nada. Si no, otra persona tiene tu cuenta: contacta con el soporte de la aplicación.
