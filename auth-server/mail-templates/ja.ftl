# Mail texts, Japanese. The same messages and variables as en.ftl (see the notes there). No plural forms.

## Shared pieces

minutes = { $count }分
days = { $count }日間

browser-unknown = 不明なブラウザー（User-Agent の送信なし）
browser-reported = { $summary }（自己申告:「{ $reported }」）
browser-on-system = { $system } 上の { $browser }
browser-generic = ブラウザー
system-unknown = 不明なシステム
network-unknown = 不明

requested-code =
    このコードは { $at } に、
    { $browser } から、
    ネットワーク { $network } でリクエストされました。
requested-link =
    このリンクは { $at } に、
    { $browser } から、
    ネットワーク { $network } でリクエストされました。
requested-change =
    この変更は { $at } に、
    { $browser } から、
    ネットワーク { $network } でリクエストされました。

passkey-created-reported = { $at } に「{ $agent }」と名乗るブラウザーで作成
passkey-created-unidentified = { $at } に名乗らなかったブラウザーで作成

## One-time code

otp-subject = { $app } の確認コード
otp-intro = { $app } のワンタイムコード:
otp-expiry = 有効期間: { $duration }。
otp-if-not-you = 心当たりがない場合: このコードを誰にも教えず、自分で開いていないページには入力しないでください。コードがなければ誰もサインインできず、コードは自動的に失効します。誰かがあなたのアドレスを入力しただけです。何度も続く場合は、アプリのサポートに連絡してください。

## Magic link

magic-link-subject = { $app } のサインインリンク
magic-link-intro = 次のリンクを開いて { $app } にサインインしてください:
magic-link-expiry = 有効期間: { $duration }。使えるのは 1 回だけです。
magic-link-if-not-you = 心当たりがない場合: リンクを開かず、転送もしないでください。開くと、リンクをリクエストしたブラウザーが（どこにあっても）サインインされます。開かれない限り誰も使えず、リンクは自動的に失効します。誰かがあなたのアドレスを入力しただけです。何度も続く場合は、アプリのサポートに連絡してください。
app-magic-link-intro = { $app } からサインイン用のリンクが届きました:
app-magic-link-expiry = 有効期間: { $duration }。使えるのは 1 回だけです。このリンクを開いたブラウザーがサインインされるので、転送しないでください。

## Passkey confirmation

passkey-confirmation-subject = { $app } アカウントの新しいパスキーを確認してください
passkey-confirmation-intro = このメールアドレス（{ $address }）で { $app } のパスキーが登録されました:
passkey-confirmation-keep = ご自身で登録した場合は、次のリンクを開いてパスキーを残してください（1 回のみ、{ $duration }有効）:
passkey-confirmation-if-not-you = 心当たりがない場合は、リンクを開かないでください。誰かがあなたの名前でアカウントを乗っ取ろうとしている可能性があります。このアドレスに送られるワンタイムコードかリンクで { $app } にサインインすると、確認されていないパスキーはすべて削除され、そのセッションも終了します。確認するかその方法でサインインするまでは、そのパスキーでサインインできます。

## Passkeys removed when the address was proven

provisional-removed-subject = { $app } アカウントからパスキーが削除されました
provisional-removed-intro = このアドレス（{ $address }）があなたのものであることが確認されました。以下のパスキーはそれ以前にこのアドレスで登録され、お送りしたリンクで確認されなかったため削除され、それらで開始されたセッションもすべて終了しました:
provisional-removed-why = 理由: 誰でも任意のアドレスで登録を始められるため、パスキーはアドレスの持ち主が確認して初めて有効になります。どれかがご自身のものだった場合は、もう一度追加してください。サインイン後に「パスキーを追加」を選びます（コードかリンクでサインインした直後に、サインインフォームから案内されます）。

## Passkey added or removed

passkey-added-subject = { $app } アカウントにパスキーが追加されました
passkey-added-intro = { $app } アカウント（{ $address }）にパスキーが追加されました:
passkey-added-if-not-you = ご自身による操作であれば、何もする必要はありません。心当たりがない場合は、誰かがアカウントにアクセスしています。ワンタイムコードかリンクでサインインし、アカウントページで見覚えのないパスキーを削除して、ほかのセッションをサインアウトしてください。
passkey-removed-subject = { $app } アカウントからパスキーが削除されました
passkey-removed-intro = { $app } アカウント（{ $address }）からパスキーが削除されました。このパスキーではもうサインインできず、これで開始されたセッションは終了しました:
passkey-removed-if-not-you = ご自身による操作であれば、何もする必要はありません。心当たりがない場合は、誰かがアカウントにアクセスしています。ワンタイムコードかリンクでサインインし、アカウントページでパスキーを確認して、ほかのセッションをサインアウトしてください。

## E-mail change

email-change-link-subject = { $app } の新しいメールアドレスを確認してください
email-change-link-intro = { $app } にサインインしている人が、今後このアドレス（{ $address }）を自分のアカウントに使うよう求めました。確認するには次のリンクを開いてください。リンクを開くとサインインもされます:
email-change-link-expiry = 有効期間: { $duration }。使えるのは 1 回だけです。開かれるまで、アカウントは古いアドレスのままです。
email-change-link-if-not-you = 心当たりがない場合: リンクを開かないでください。開かれない限り何も変わらず、リンクは自動的に失効します。誰かがあなたのアドレスを入力しただけです。何度も続く場合は、アプリのサポートに連絡してください。
email-change-requested-subject = { $app } アカウントのメールアドレスが変更されようとしています
email-change-requested-body = あなたの { $app } アカウント（{ $address }）にサインインしている人が、メールアドレスを { $new_address } に変更するよう求めました。そのアドレスにリンクを送りました。リンクが開かれた時点で（有効期間: { $duration }）、アカウントはそのアドレスに移ります。
email-change-requested-if-not-you = 心当たりがない場合: 別の誰かがあなたのアカウントにサインインしています。サインインして、アカウントページですべてのセッションをサインアウトし、パスキーを確認してください。リンクが開かれると、コードやリンクはこのアドレスに送られなくなります。
email-changed-subject = { $app } アカウントのメールアドレスが変更されました
email-changed-body = { $app } アカウントのメールアドレスが { $address } から { $new_address } に変更されました。新しいアドレスに送ったリンクが開かれました。今後、コードとサインインリンクは { $new_address } に送られ、このアドレスには送られません。
email-changed-if-not-you = ご自身による操作であれば、何もする必要はありません。心当たりがない場合は、別の誰かがあなたのアカウントを持っています。アプリのサポートに連絡してください。
