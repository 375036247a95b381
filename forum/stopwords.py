"""Stop words of the languages the word cloud knows: a note may be written in any language or script.

Words that say nothing about what residents need (articles, pronouns, auxiliaries, particles,
politeness). Written as people type them; the word cloud folds them as it folds the notes (lower
case, no accents or Arabic short vowels). Native speakers' corrections are welcome, as for the catalogues.
"""

from __future__ import annotations

FRENCH = """
a afin ai aie aient aies ait alors as au aucun aucune aupres auquel aura aurai auraient aurais aurait auras aurez
auriez aurions aurons auront aussi autre autres aux auxquelles auxquels avaient avais avait avant avec avez aviez
avions avoir avons ayant ayez ayons bah beaucoup bien bon car ce ceci cela celle celles celui cependant certain
certaine certaines certains ces cet cette ceux chaque chez ci comme comment contre dans de debout dedans dehors deja
depuis des desquelles desquels dessous dessus devant devrait doit doivent donc dont du duquel durant elle elles en
encore entre es est et etaient etais etait etant etc ete etes etiez etions etre eu eue eues eux faire fais fait faut
fois font hors ici il ils je jusqu jusque la laquelle le lequel les lesquelles lesquels leur leurs lui mais me meme
memes mes moi moins mon ne ni non nos notre nous on ont ou par parce pas peu peut peuvent peux plus plupart pour
pourquoi pourrait puis qu quand que quel quelle quelles quels qui quoi sa sans se sera serai seraient serais serait
seras serez seriez serions serons seront ses si sien sienne soi soient sois soit sommes son sont sous suis sur ta
tant te tes toi ton tous tout toute toutes tres tu un une unes uns va vais vas vers veut veux via voici voila vont
vos votre vous vu y etre avoir faire aller dire pouvoir vouloir savoir falloir devoir chose choses truc trucs oui
merci bonjour avoir besoin quelqu quelque quelques plus moins tout tous ceux celles cela ca
""".split()

ENGLISH = """
the and for with this that these those are was were been being have has had not but you your yours our ours
they them their there here what which who whom how when where why about from into onto over under more most
some any all can could will would shall should may might must just also very too than then thing things yes
please thanks thank hello its it's lot lots get got want need like
""".split()

# Modern Standard Arabic and everyday spellings: prepositions, pronouns, demonstratives, particles.
ARABIC = """
أريد نريد يريد في من إلى الى على عن مع هذا هذه ذلك تلك هؤلاء الذي التي الذين اللذين هو هي هم هن نحن أنا انا أنت انت أنتم
كان كانت يكون تكون كانوا أن ان إن لا لم لن ما ماذا متى أين اين كيف لماذا هل قد ثم أو او يا كل بعض عند عندي عندنا
لكن حتى إذا اذا لدي لدينا فيه فيها منه منها له لها لنا بها به أيضا ايضا جدا شكرا مرحبا السلام نعم غير بين
""".split()

TURKISH = """
istiyorum istiyoruz ve veya ile için icin ama fakat ancak gibi çok daha bir bu şu o da de ki mi mı mu mü ne neden niçin nasıl
ben sen biz siz onlar beni seni bizi sizi bana sana ona bize size benim senin onun bizim sizin onların
var yok olarak kadar her hem bile artık sonra önce diye şey şeyler bunu şunu onu bunlar şunlar için
evet hayır lütfen teşekkürler merhaba olan olur oldu değil gibi
""".split()

BY_LANGUAGE = {"fr": FRENCH, "en": ENGLISH, "ar": ARABIC, "tr": TURKISH}
