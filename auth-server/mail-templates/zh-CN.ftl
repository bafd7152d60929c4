# Mail texts, simplified Chinese (also for "zh"). The same messages and variables as en.ftl (see the notes there).
# No plural forms.

## Shared pieces

minutes = { $count } 分钟
days = { $count } 天

browser-unknown = 未知浏览器（未发送 User-Agent）
browser-reported = { $summary }（自称“{ $reported }”）
browser-on-system = { $system } 上的 { $browser }
browser-generic = 某个浏览器
system-unknown = 未知系统
network-unknown = 未知

requested-code =
    此验证码于 { $at }
    由 { $browser }
    在网络 { $network } 上请求。
requested-link =
    此链接于 { $at }
    由 { $browser }
    在网络 { $network } 上请求。
requested-change =
    此更改于 { $at }
    由 { $browser }
    在网络 { $network } 上请求。

passkey-created-reported = 于 { $at } 由自称“{ $agent }”的浏览器创建
passkey-created-unidentified = 于 { $at } 由未表明身份的浏览器创建

## One-time code

otp-subject = 你的 { $app } 验证码
otp-intro = 你的 { $app } 一次性验证码是：
otp-expiry = 有效期：{ $duration }。
otp-if-not-you = 如果不是你本人：不要把验证码告诉任何人，也不要在不是你自己打开的页面中输入它。没有它谁都无法登录，它也会自动失效；只是有人输入了你的邮箱地址。如果这种情况反复出现，请告知应用的客服。

## Magic link

magic-link-subject = 你的 { $app } 登录链接
magic-link-intro = 打开此链接登录 { $app }：
magic-link-expiry = 有效期：{ $duration }，仅可使用一次。
magic-link-if-not-you = 如果不是你本人：不要打开此链接，也不要转发。打开它会让请求它的那个浏览器登录，无论它在哪里。只要不打开，谁都无法使用它，它也会自动失效；只是有人输入了你的邮箱地址。如果这种情况反复出现，请告知应用的客服。
app-magic-link-intro = { $app } 向你发送了此登录链接：
app-magic-link-expiry = 有效期：{ $duration }，仅可使用一次。它会让你打开它的浏览器登录：请不要转发。

## Passkey confirmation

passkey-confirmation-subject = 请确认你的 { $app } 账户的新通行密钥
passkey-confirmation-intro = 刚刚有人用此邮箱地址（{ $address }）为 { $app } 注册了一个通行密钥：
passkey-confirmation-keep = 如果是你本人，请打开此链接保留该通行密钥（仅可使用一次，有效期 { $duration }）：
passkey-confirmation-if-not-you = 如果不是你本人，请不要打开此链接。可能有人试图以你的名义接管账户：请用发送到此地址的一次性验证码或链接登录 { $app }，所有从未确认的通行密钥都会被删除，其会话也会结束。在你确认它或以这种方式登录之前，该通行密钥可以用来登录。

## Passkeys removed when the address was proven

provisional-removed-subject = 你的 { $app } 账户中的通行密钥已被删除
provisional-removed-intro = 你刚刚证明了此地址（{ $address }）属于你。以下通行密钥是在此之前为该地址注册的，且从未通过我们发送的链接确认，因此已被删除，由它们开始的所有会话也已结束：
provisional-removed-why = 原因：任何人都可以用任意地址开始注册，因此通行密钥只有在地址所有者确认后才算数。如果其中有你的通行密钥，请重新添加：登录后选择“添加通行密钥”（用验证码或链接登录后，登录表单会立即提供此选项）。

## Passkey added or removed

passkey-added-subject = 你的 { $app } 账户添加了一个通行密钥
passkey-added-intro = 你的 { $app } 账户（{ $address }）添加了一个通行密钥：
passkey-added-if-not-you = 如果是你本人，无需任何操作。如果不是，说明有人能访问你的账户：请用一次性验证码或链接登录，在账户页面删除你不认识的通行密钥，并退出其他会话。
passkey-removed-subject = 你的 { $app } 账户删除了一个通行密钥
passkey-removed-intro = 你的 { $app } 账户（{ $address }）删除了一个通行密钥；它已无法再登录，由它开始的会话也已结束：
passkey-removed-if-not-you = 如果是你本人，无需任何操作。如果不是，说明有人能访问你的账户：请用一次性验证码或链接登录，在账户页面检查通行密钥，并退出其他会话。

## E-mail change

email-change-link-subject = 请确认你的 { $app } 新邮箱地址
email-change-link-intro = 一位已登录 { $app } 的用户要求今后为其账户使用此地址（{ $address }）。打开此链接即可确认；它也会让你登录：
email-change-link-expiry = 有效期：{ $duration }，仅可使用一次。在链接被打开之前，账户仍使用原来的地址。
email-change-link-if-not-you = 如果不是你本人：请不要打开此链接。只要不打开就不会有任何变化，它也会自动失效；只是有人输入了你的邮箱地址。如果这种情况反复出现，请告知应用的客服。
email-change-requested-subject = 你的 { $app } 邮箱地址即将更改
email-change-requested-body = 一位已登录你的 { $app } 账户（{ $address }）的用户要求把账户的邮箱地址改为 { $new_address }。我们已向该地址发送了一个链接；只有在链接被打开时（有效期 { $duration }），账户才会改用该地址。
email-change-requested-if-not-you = 如果不是你本人：说明有其他人登录了你的账户。请登录，在账户页面退出所有会话，并检查你的通行密钥。链接一旦被打开，验证码和链接将不再发送到此地址。
email-changed-subject = 你的 { $app } 邮箱地址已更改
email-changed-body = 你的 { $app } 账户的邮箱地址已从 { $address } 改为 { $new_address }：发送到新地址的链接已被打开。验证码和登录链接现在会发送到 { $new_address }，不再发送到这里。
email-changed-if-not-you = 如果是你本人，无需任何操作。如果不是，说明其他人拿到了你的账户：请联系应用的客服。
