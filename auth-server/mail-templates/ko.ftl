# Mail texts, Korean. The same messages and variables as en.ftl (see the notes there). No plural forms.

## Shared pieces

minutes = { $count }분
days = { $count }일

browser-unknown = 알 수 없는 브라우저(User-Agent를 보내지 않음)
browser-reported = { $summary }(자신을 "{ $reported }"(으)로 밝힘)
browser-on-system = { $system }의 { $browser }
browser-generic = 브라우저
system-unknown = 알 수 없는 시스템
network-unknown = 알 수 없음

requested-code =
    이 코드는 { $at }에
    { $browser }에서
    네트워크 { $network }을(를) 통해 요청되었습니다.
requested-link =
    이 링크는 { $at }에
    { $browser }에서
    네트워크 { $network }을(를) 통해 요청되었습니다.
requested-change =
    이 변경은 { $at }에
    { $browser }에서
    네트워크 { $network }을(를) 통해 요청되었습니다.

passkey-created-reported = { $at }에 자신을 "{ $agent }"(으)로 밝힌 브라우저에서 생성됨
passkey-created-unidentified = { $at }에 자신을 밝히지 않은 브라우저에서 생성됨

## One-time code

otp-subject = { $app } 인증 코드
otp-intro = { $app }의 일회용 코드:
otp-expiry = 유효 시간: { $duration }.
otp-if-not-you = 본인이 요청하지 않았다면: 이 코드를 누구에게도 알려 주지 말고, 직접 열지 않은 페이지에 입력하지 마세요. 코드 없이는 아무도 로그인할 수 없으며 코드는 저절로 만료됩니다. 누군가 회원님의 주소를 입력했을 뿐입니다. 이런 일이 계속되면 앱 지원팀에 알려 주세요.

## Magic link

magic-link-subject = { $app } 로그인 링크
magic-link-intro = { $app }에 로그인하려면 이 링크를 여세요:
magic-link-expiry = 유효 시간: { $duration }. 한 번만 사용할 수 있습니다.
magic-link-if-not-you = 본인이 요청하지 않았다면: 링크를 열지 말고 전달하지도 마세요. 링크를 열면 링크를 요청한 브라우저가 어디에 있든 로그인됩니다. 열지 않는 한 아무도 사용할 수 없으며 링크는 저절로 만료됩니다. 누군가 회원님의 주소를 입력했을 뿐입니다. 이런 일이 계속되면 앱 지원팀에 알려 주세요.
app-magic-link-intro = { $app }에서 로그인 링크를 보냈습니다:
app-magic-link-expiry = 유효 시간: { $duration }. 한 번만 사용할 수 있습니다. 이 링크를 연 브라우저가 로그인되므로 전달하지 마세요.

## Passkey confirmation

passkey-confirmation-subject = { $app } 계정의 새 패스키를 확인하세요
passkey-confirmation-intro = 방금 이 이메일 주소({ $address })로 { $app } 패스키가 등록되었습니다:
passkey-confirmation-keep = 본인이 등록했다면 이 링크를 열어 패스키를 유지하세요(한 번만 사용 가능, 유효 기간 { $duration }):
passkey-confirmation-if-not-you = 본인이 아니라면 링크를 열지 마세요. 누군가 회원님의 이름으로 계정을 가로채려 하고 있을 수 있습니다. 이 주소로 보내는 일회용 코드나 링크로 { $app }에 로그인하면 한 번도 확인되지 않은 패스키는 모두 삭제되고 그 세션도 종료됩니다. 확인하거나 그렇게 로그인하기 전까지는 이 패스키로 로그인할 수 있습니다.

## Passkeys removed when the address was proven

provisional-removed-subject = { $app } 계정에서 패스키가 삭제되었습니다
provisional-removed-intro = 방금 이 주소({ $address })가 회원님의 것임을 확인했습니다. 아래 패스키는 그 전에 이 주소로 등록되었지만 저희가 보낸 링크로 확인된 적이 없어 삭제되었고, 이 패스키로 시작된 모든 세션도 종료되었습니다:
provisional-removed-why = 이유: 누구나 아무 주소로나 가입을 시작할 수 있으므로, 패스키는 주소의 주인이 확인한 뒤에만 인정됩니다. 그중 회원님의 패스키가 있었다면 다시 추가하세요. 로그인한 뒤 "패스키 추가"를 선택하면 됩니다(코드나 링크로 로그인한 직후 로그인 양식에서 안내합니다).

## Passkey added or removed

passkey-added-subject = { $app } 계정에 패스키가 추가되었습니다
passkey-added-intro = { $app } 계정({ $address })에 패스키가 추가되었습니다:
passkey-added-if-not-you = 본인이 한 일이라면 아무것도 하지 않아도 됩니다. 그렇지 않다면 누군가 계정에 접근할 수 있습니다. 일회용 코드나 링크로 로그인하고, 계정 페이지에서 모르는 패스키를 삭제한 뒤, 다른 세션에서 로그아웃하세요.
passkey-removed-subject = { $app } 계정에서 패스키가 삭제되었습니다
passkey-removed-intro = { $app } 계정({ $address })에서 패스키가 삭제되었습니다. 이 패스키로는 더 이상 로그인할 수 없으며, 이 패스키로 시작된 세션은 종료되었습니다:
passkey-removed-if-not-you = 본인이 한 일이라면 아무것도 하지 않아도 됩니다. 그렇지 않다면 누군가 계정에 접근할 수 있습니다. 일회용 코드나 링크로 로그인하고, 계정 페이지에서 패스키를 확인한 뒤, 다른 세션에서 로그아웃하세요.

## E-mail change

email-change-link-subject = 새 { $app } 이메일 주소를 확인하세요
email-change-link-intro = { $app }에 로그인한 누군가가 앞으로 자신의 계정에 이 주소({ $address })를 사용하겠다고 요청했습니다. 확인하려면 이 링크를 여세요. 링크를 열면 로그인도 됩니다:
email-change-link-expiry = 유효 시간: { $duration }. 한 번만 사용할 수 있습니다. 링크를 열기 전까지 계정은 이전 주소를 유지합니다.
email-change-link-if-not-you = 본인이 요청하지 않았다면: 링크를 열지 마세요. 열지 않으면 아무것도 바뀌지 않으며 링크는 저절로 만료됩니다. 누군가 회원님의 주소를 입력했을 뿐입니다. 이런 일이 계속되면 앱 지원팀에 알려 주세요.
email-change-requested-subject = { $app } 이메일 주소가 곧 변경됩니다
email-change-requested-body = 회원님의 { $app } 계정({ $address })에 로그인한 누군가가 이메일 주소를 { $new_address }(으)로 변경하도록 요청했습니다. 그 주소로 링크를 보냈으며, 링크가 열릴 때에만(유효 시간 { $duration }) 계정이 그 주소로 옮겨집니다.
email-change-requested-if-not-you = 본인이 요청하지 않았다면: 다른 사람이 회원님의 계정에 로그인해 있습니다. 로그인한 뒤 계정 페이지에서 모든 세션을 로그아웃하고 패스키를 확인하세요. 링크가 열리면 코드와 링크는 더 이상 이 주소로 보내지지 않습니다.
email-changed-subject = { $app } 이메일 주소가 변경되었습니다
email-changed-body = { $app } 계정의 이메일 주소가 { $address }에서 { $new_address }(으)로 변경되었습니다. 새 주소로 보낸 링크가 열렸습니다. 이제 코드와 로그인 링크는 { $new_address }(으)로 보내지며, 이 주소로는 보내지지 않습니다.
email-changed-if-not-you = 본인이 한 일이라면 아무것도 하지 않아도 됩니다. 그렇지 않다면 다른 사람이 회원님의 계정을 가지고 있습니다. 앱 지원팀에 문의하세요.
