# Mail texts, Arabic. The same messages and variables as en.ftl (see the notes there). Right to left: the server
# isolates every placeable (U+2068 ... U+2069) in this language, so an address or app name written left to right
# does not reorder the sentence; codes and links are never placeables. $duration is in the nominative ("دقيقتان"),
# so the sentences name it as a label ("مدة الصلاحية: ...").

## Shared pieces

minutes = { $count ->
    [zero] { $count } دقيقة
    [one] دقيقة واحدة
    [two] دقيقتان
    [few] { $count } دقائق
    [many] { $count } دقيقة
   *[other] { $count } دقيقة
}
days = { $count ->
    [zero] { $count } يوم
    [one] يوم واحد
    [two] يومان
    [few] { $count } أيام
    [many] { $count } يومًا
   *[other] { $count } يوم
}

browser-unknown = متصفح غير معروف (لم يرسل User-Agent)
browser-reported = { $summary } (عرّف نفسه بأنه "{ $reported }")
browser-on-system = { $browser } على { $system }
browser-generic = متصفح
system-unknown = نظام غير معروف
network-unknown = غير معروفة

requested-code =
    طُلب هذا الرمز في { $at }
    من { $browser }
    على الشبكة { $network }.
requested-link =
    طُلب هذا الرابط في { $at }
    من { $browser }
    على الشبكة { $network }.
requested-change =
    طُلب هذا التغيير في { $at }
    من { $browser }
    على الشبكة { $network }.

passkey-created-reported = أُنشئ في { $at } بواسطة متصفح عرّف نفسه بأنه "{ $agent }"
passkey-created-unidentified = أُنشئ في { $at } بواسطة متصفح لم يعرّف نفسه

## One-time code

otp-subject = رمزك لـ { $app }
otp-intro = رمزك لمرة واحدة لـ { $app } هو:
otp-expiry = مدة الصلاحية: { $duration }.
otp-if-not-you = إن لم تكن أنت من طلبه: لا تعطِ الرمز لأي أحد ولا تكتبه في صفحة لم تفتحها بنفسك. لا يستطيع أحد تسجيل الدخول بدونه، وتنتهي صلاحيته من تلقاء نفسه؛ كل ما حدث أن أحدًا كتب عنوانك. إذا تكرر ذلك، فأبلغ دعم التطبيق.

## Magic link

magic-link-subject = رابط تسجيل الدخول إلى { $app }
magic-link-intro = افتح هذا الرابط لتسجيل الدخول إلى { $app }:
magic-link-expiry = مدة الصلاحية: { $duration }، ويعمل مرة واحدة فقط.
magic-link-if-not-you = إن لم تكن أنت من طلبه: لا تفتح الرابط ولا تعِد توجيهه. فتحه يسجّل دخول المتصفح الذي طلبه أينما كان. لا يستطيع أحد استخدامه ما لم يُفتح، وتنتهي صلاحيته من تلقاء نفسه؛ كل ما حدث أن أحدًا كتب عنوانك. إذا تكرر ذلك، فأبلغ دعم التطبيق.
app-magic-link-intro = أرسل إليك { $app } هذا الرابط لتسجيل الدخول:
app-magic-link-expiry = مدة الصلاحية: { $duration }، ويعمل مرة واحدة فقط. يسجّل الرابط دخول المتصفح الذي تفتحه فيه: لا تعِد توجيهه.

## Passkey confirmation

passkey-confirmation-subject = أكّد مفتاح المرور الجديد لحسابك في { $app }
passkey-confirmation-intro = سُجّل للتو مفتاح مرور لـ { $app } باستخدام عنوان البريد الإلكتروني هذا ({ $address }):
passkey-confirmation-keep = إن كنت أنت، فافتح هذا الرابط للاحتفاظ بمفتاح المرور (يعمل مرة واحدة، ومدة صلاحيته: { $duration }):
passkey-confirmation-if-not-you = إن لم تكن أنت، فلا تفتح الرابط. ربما يحاول أحدهم الاستيلاء على حساب باسمك: سجّل الدخول إلى { $app } برمز لمرة واحدة أو برابط يُرسل إلى هذا العنوان، فيُحذف كل مفتاح مرور لم يُؤكَّد قط وتُنهى جلساته. وإلى أن تؤكده أو تسجّل الدخول بهذه الطريقة، يمكن استخدام مفتاح المرور لتسجيل الدخول.

## Passkeys removed when the address was proven

provisional-removed-subject = حُذفت مفاتيح مرور من حسابك في { $app }
provisional-removed-intro = أثبتّ للتو أن هذا العنوان ({ $address }) لك. مفاتيح المرور التالية سُجّلت له قبل ذلك ولم تُؤكَّد قط عبر الرابط الذي أرسلناه، لذا حُذفت وأُنهيت كل الجلسات التي بدأتها:
provisional-removed-why = السبب: يستطيع أي شخص بدء التسجيل بأي عنوان، لذا لا يُعتدّ بمفتاح المرور إلا بعد أن يؤكده صاحب العنوان. إذا كان أحدها لك، فأضفه مرة أخرى: بعد تسجيل الدخول اختر "إضافة مفتاح مرور" (يعرض نموذج تسجيل الدخول ذلك مباشرة بعد الدخول برمز أو رابط).

## Passkey added or removed

passkey-added-subject = أُضيف مفتاح مرور إلى حسابك في { $app }
passkey-added-intro = أُضيف مفتاح مرور إلى حسابك في { $app } ({ $address }):
passkey-added-if-not-you = إن كنت أنت، فلا داعي لفعل أي شيء. وإن لم تكن، فهناك من يصل إلى حسابك: سجّل الدخول برمز لمرة واحدة أو برابط، واحذف من صفحة حسابك مفتاح المرور الذي لا تعرفه، وسجّل الخروج من جلساتك الأخرى.
passkey-removed-subject = حُذف مفتاح مرور من حسابك في { $app }
passkey-removed-intro = حُذف مفتاح مرور من حسابك في { $app } ({ $address })؛ لم يعد بالإمكان تسجيل الدخول به، وأُنهيت الجلسات التي بدأها:
passkey-removed-if-not-you = إن كنت أنت، فلا داعي لفعل أي شيء. وإن لم تكن، فهناك من يصل إلى حسابك: سجّل الدخول برمز لمرة واحدة أو برابط، وراجع مفاتيح المرور في صفحة حسابك، وسجّل الخروج من جلساتك الأخرى.

## E-mail change

email-change-link-subject = أكّد عنوان بريدك الإلكتروني الجديد في { $app }
email-change-link-intro = طلب شخص مسجّل الدخول إلى { $app } استخدام هذا العنوان ({ $address }) لحسابه من الآن فصاعدًا. افتح هذا الرابط لتأكيده؛ وهو يسجّل دخولك أيضًا:
email-change-link-expiry = مدة الصلاحية: { $duration }، ويعمل مرة واحدة فقط. وإلى أن يُفتح، يحتفظ الحساب بعنوانه القديم.
email-change-link-if-not-you = إن لم تكن أنت من طلبه: لا تفتح الرابط. لا يتغير شيء ما لم يُفتح، وتنتهي صلاحيته من تلقاء نفسه؛ كل ما حدث أن أحدًا كتب عنوانك. إذا تكرر ذلك، فأبلغ دعم التطبيق.
email-change-requested-subject = عنوان بريدك الإلكتروني في { $app } على وشك أن يتغير
email-change-requested-body = طلب شخص مسجّل الدخول إلى حسابك في { $app } ({ $address }) تغيير عنوان بريده الإلكتروني إلى { $new_address }. أرسلنا رابطًا إلى ذلك العنوان؛ ولا ينتقل الحساب إليه إلا عند فتح الرابط (مدة الصلاحية: { $duration }).
email-change-requested-if-not-you = إن لم تكن أنت من طلبه: هناك شخص آخر مسجّل الدخول إلى حسابك. سجّل الدخول، وسجّل الخروج من كل الجلسات في صفحة حسابك، وراجع مفاتيح المرور. بمجرد فتح الرابط، لن تُرسل الرموز والروابط إلى هذا العنوان بعد الآن.
email-changed-subject = تغيّر عنوان بريدك الإلكتروني في { $app }
email-changed-body = تغيّر عنوان البريد الإلكتروني لحسابك في { $app } من { $address } إلى { $new_address }: فُتح الرابط المرسل إلى العنوان الجديد. تُرسل الرموز وروابط تسجيل الدخول الآن إلى { $new_address }، ولا يُرسل أي منها إلى هنا.
email-changed-if-not-you = إن كنت أنت، فلا داعي لفعل أي شيء. وإن لم تكن، فقد استولى شخص آخر على حسابك: تواصل مع دعم التطبيق.
