# Mail texts, Brazilian Portuguese (also for "pt"). The same messages and variables as en.ftl (see the notes there).

## Shared pieces

minutes = { $count ->
    [one] { $count } minuto
   *[other] { $count } minutos
}
days = { $count ->
    [one] { $count } dia
   *[other] { $count } dias
}

browser-unknown = um navegador desconhecido (ele não enviou User-Agent)
browser-reported = { $summary } (identificado como "{ $reported }")
browser-on-system = { $browser } no { $system }
browser-generic = um navegador
system-unknown = um sistema desconhecido
network-unknown = desconhecida

requested-code =
    Este código foi solicitado em { $at }
    por { $browser }
    na rede { $network }.
requested-link =
    Este link foi solicitado em { $at }
    por { $browser }
    na rede { $network }.
requested-change =
    Esta alteração foi solicitada em { $at }
    por { $browser }
    na rede { $network }.

passkey-created-reported = criada em { $at } por um navegador que se identificou como "{ $agent }"
passkey-created-unidentified = criada em { $at } por um navegador que não se identificou

## One-time code

otp-subject = Seu código do { $app }
otp-intro = Seu código de uso único para o { $app } é:
otp-expiry = Ele expira em { $duration }.
otp-if-not-you = Se não foi você: não passe o código para ninguém e não o digite em uma página que você mesmo não abriu. Ninguém consegue entrar sem ele, e ele expira sozinho; alguém apenas digitou o seu endereço. Se isso continuar acontecendo, avise o suporte do aplicativo.

## Magic link

magic-link-subject = Seu link de acesso ao { $app }
magic-link-intro = Abra este link para entrar no { $app }:
magic-link-expiry = Ele expira em { $duration } e funciona uma única vez.
magic-link-if-not-you = Se não foi você: não abra o link e não o encaminhe. Abri-lo conectaria o navegador que o solicitou, onde quer que ele esteja. Ninguém pode usá-lo se ele não for aberto, e ele expira sozinho; alguém apenas digitou o seu endereço. Se isso continuar acontecendo, avise o suporte do aplicativo.
app-magic-link-intro = O { $app } enviou este link para você entrar:
app-magic-link-expiry = Ele expira em { $duration } e funciona uma única vez. Ele conecta o navegador em que você o abrir: não o encaminhe.

## Passkey confirmation

passkey-confirmation-subject = Confirme a nova chave de acesso da sua conta do { $app }
passkey-confirmation-intro = Uma chave de acesso acabou de ser registrada no { $app } com este endereço de e-mail ({ $address }):
passkey-confirmation-keep = Se foi você, abra este link para manter a chave de acesso (ele funciona uma vez, por { $duration }):
passkey-confirmation-if-not-you = Se não foi você, não abra o link. Alguém pode estar tentando tomar uma conta em seu nome: entre no { $app } com um código de uso único ou um link enviado a este endereço, e toda chave de acesso nunca confirmada será removida e suas sessões encerradas. Até você confirmá-la ou entrar dessa forma, a chave de acesso pode ser usada para entrar.

## Passkeys removed when the address was proven

provisional-removed-subject = Chaves de acesso foram removidas da sua conta do { $app }
provisional-removed-intro = Você acabou de provar que este endereço ({ $address }) é seu. As chaves de acesso abaixo tinham sido registradas para ele antes disso e nunca foram confirmadas pelo link que enviamos; por isso foram removidas, e todas as sessões que elas iniciaram foram encerradas:
provisional-removed-why = Por quê: qualquer pessoa pode iniciar um cadastro com qualquer endereço, então uma chave de acesso só vale depois que o dono do endereço a confirma. Se alguma delas era sua, adicione-a de novo: depois de entrar, escolha "adicionar uma chave de acesso" (o formulário de login oferece isso logo após um acesso por código ou link).

## Passkey added or removed

passkey-added-subject = Uma chave de acesso foi adicionada à sua conta do { $app }
passkey-added-intro = Uma chave de acesso foi adicionada à sua conta do { $app } ({ $address }):
passkey-added-if-not-you = Se foi você, não há nada a fazer. Se não foi, alguém tem acesso à sua conta: entre com um código de uso único ou um link, remova na página da sua conta a chave de acesso que você não reconhece e encerre suas outras sessões.
passkey-removed-subject = Uma chave de acesso foi removida da sua conta do { $app }
passkey-removed-intro = Uma chave de acesso foi removida da sua conta do { $app } ({ $address }); ela não permite mais entrar, e as sessões que ela iniciou foram encerradas:
passkey-removed-if-not-you = Se foi você, não há nada a fazer. Se não foi, alguém tem acesso à sua conta: entre com um código de uso único ou um link, verifique as chaves de acesso na página da sua conta e encerre suas outras sessões.

## E-mail change

email-change-link-subject = Confirme seu novo endereço de e-mail no { $app }
email-change-link-intro = Alguém conectado ao { $app } pediu para usar este endereço ({ $address }) na conta a partir de agora. Abra este link para confirmá-lo; ele também conecta você:
email-change-link-expiry = Ele expira em { $duration } e funciona uma única vez. Até ser aberto, a conta mantém o endereço antigo.
email-change-link-if-not-you = Se não foi você: não abra o link. Nada muda se ele não for aberto, e ele expira sozinho; alguém apenas digitou o seu endereço. Se isso continuar acontecendo, avise o suporte do aplicativo.
email-change-requested-subject = O endereço de e-mail da sua conta do { $app } vai mudar
email-change-requested-body = Alguém conectado à sua conta do { $app } ({ $address }) pediu para mudar o endereço de e-mail dela para { $new_address }. Enviamos um link para esse endereço; a conta só passa para ele quando o link for aberto (dentro de { $duration }).
email-change-requested-if-not-you = Se não foi você: outra pessoa está conectada à sua conta. Entre, encerre todas as sessões na página da sua conta e verifique suas chaves de acesso. Depois que o link for aberto, códigos e links não serão mais enviados a este endereço.
email-changed-subject = O endereço de e-mail da sua conta do { $app } foi alterado
email-changed-body = O endereço de e-mail da sua conta do { $app } foi alterado de { $address } para { $new_address }: o link enviado ao novo endereço foi aberto. Códigos e links de acesso agora vão para { $new_address }, e nenhum é enviado para cá.
email-changed-if-not-you = Se foi você, não há nada a fazer. Se não foi, outra pessoa está com a sua conta: fale com o suporte do aplicativo.
