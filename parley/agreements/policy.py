"""The agreement to mediate (R2): the built-in template, its policy, and hashing.

The template is written in our own words; it implements the client's six clauses.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass

from django.db.models import TextChoices
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parley.cases.policy import CourtOrder
from parley.errors import BadInput, DomainError
from parley.rooms.policy import Instruction


class AgreementSource(TextChoices):
    TEMPLATE = "template", gettext_lazy("Parley's template")
    OWN = "own", gettext_lazy("The mediator's own text")


NO_LEGAL_ADVICE_NOTICE = gettext_lazy(
    "The mediator gives no legal advice and represents no one. You may consult your own "
    "lawyer at any time, in private, before and during the mediation."
)

NO_CONFLICT = gettext_lazy("The mediator has no conflict of interest to disclose.")

# The languages the template is written in. The English text is the original; the others say
# the same six clauses in their own words. They live here, not in the translation catalogues:
# a text people sign must not depend on whether a catalogue was compiled, and each language's
# text has its own SHA-256.
TEMPLATE_LANGUAGES = ("en", "es", "de")
ORIGINAL_LANGUAGE = "en"

TEMPLATE_TEXTS = {
    "en": """\
Agreement to Mediate

Everyone who takes part in this mediation, the mediator included, agrees as follows.

1. Confidentiality. What is said, written or shown in this mediation, and everything prepared
for it, stays inside it. No one who takes part will ask a court or any other body to hear
evidence of it, to order its disclosure, or to call the mediator as a witness or for the
mediator's notes and records. Sharing something within the mediation does not make it any less
confidential or privileged. The result of the mediation (whether it settled, and the settlement)
is not confidential unless we agree otherwise below. Once the mediation ends, for whatever
reason, settlement included, what is said or written after that is no longer confidential.

2. Taking part is voluntary. Any party, or the mediator, may end the mediation at any time,
subject only to any court order that governs it.

3. The mediator is neutral. The mediator is independent, represents no party, gives no legal
advice, and decides nothing: the parties alone decide whether and how to settle. Each party
should take legal advice from their own lawyer.

4. Your own lawyer. Each party may consult their own lawyer freely and in private, at any time.
The mediator may talk about legal ideas and options to help the discussion, but that is not
legal advice, and the mediator has no duty to protect any party's legal rights.

5. Private sessions (caucuses). The mediator may meet each side separately and in private. What
a side tells the mediator there {caucus_clause}

6. Ending the mediation. A party ends the mediation by telling the mediator so. The mediator ends
it by telling all parties together. From that moment on, nothing said or written is confidential.
""",
    "es": """\
Convenio de mediación

Todas las personas que participan en esta mediación, incluido el mediador, acuerdan lo
siguiente.

1. Confidencialidad. Lo que se dice, se escribe o se muestra en esta mediación, y todo lo que se
prepara para ella, queda dentro de ella. Nadie que participe pedirá a un tribunal ni a ningún
otro organismo que admita pruebas sobre ello, que ordene revelarlo, ni que cite al mediador como
testigo o le exija sus notas y registros. Compartir algo dentro de la mediación no le quita su
carácter confidencial ni la protección que le corresponde. El resultado de la mediación (si se llegó a un acuerdo, y
el acuerdo final mismo) no es confidencial, salvo que más abajo se acuerde otra cosa. Cuando la
mediación termina, por el motivo que sea, también por un acuerdo final, lo que se dice o se escribe
después ya no es confidencial.

2. La participación es voluntaria. Cualquiera de las partes, o el mediador, puede poner fin a la
mediación en cualquier momento, con la única salvedad de una orden judicial que la rija.

3. El mediador es neutral. El mediador es independiente, no representa a ninguna parte, no da
asesoramiento jurídico y no decide nada: solo las partes deciden si llegan a un acuerdo y en qué
términos. Cada parte debería pedir asesoramiento jurídico a su propio abogado.

4. Su propio abogado. Cada parte puede consultar a su propio abogado libremente y en privado, en
cualquier momento. El mediador puede hablar de ideas y opciones jurídicas para ayudar a la
conversación, pero eso no es asesoramiento jurídico, y el mediador no tiene el deber de proteger
los derechos de ninguna parte.

5. Reuniones privadas. El mediador puede reunirse con cada lado por separado y en privado. Lo que
un lado le cuenta allí al mediador {caucus_clause}

6. Fin de la mediación. Una parte pone fin a la mediación comunicándoselo al mediador. El
mediador le pone fin comunicándoselo a todas las partes a la vez. Desde ese momento, nada de lo
que se diga o se escriba es confidencial.
""",
    "de": """\
Mediationsvereinbarung

Alle, die an dieser Mediation teilnehmen, auch der Mediator, vereinbaren Folgendes.

1. Vertraulichkeit. Was in dieser Mediation gesagt, geschrieben oder gezeigt wird, und alles, was
für sie vorbereitet wird, bleibt in ihr. Niemand, der teilnimmt, wird ein Gericht oder eine
andere Stelle bitten, darüber Beweis zu erheben, seine Offenlegung anzuordnen oder den Mediator
als Zeugen zu laden oder seine Notizen und Unterlagen anzufordern. Wird etwas innerhalb der
Mediation weitergegeben, bleibt es genauso vertraulich und geschützt. Das Ergebnis der Mediation
(ob sie mit einer Einigung endete, und die Einigung selbst) ist nicht vertraulich,
es sei denn, wir vereinbaren unten etwas anderes. Sobald die Mediation endet, aus welchem Grund
auch immer, auch durch eine Einigung, ist das, was danach gesagt oder geschrieben wird, nicht
mehr vertraulich.

2. Die Teilnahme ist freiwillig. Jede Partei und der Mediator können die Mediation jederzeit
beenden; nur eine gerichtliche Anordnung, die für sie gilt, kann dem entgegenstehen.

3. Der Mediator ist neutral. Der Mediator ist unabhängig, vertritt keine Partei, berät nicht
rechtlich und entscheidet nichts: Allein die Parteien entscheiden, ob und wie sie sich einigen.
Jede Partei sollte sich von ihrem eigenen Anwalt rechtlich beraten lassen.

4. Ihr eigener Anwalt. Jede Partei kann jederzeit frei und vertraulich ihren eigenen Anwalt zu
Rate ziehen. Der Mediator kann rechtliche Gedanken und Möglichkeiten ansprechen, um das
Gespräch zu unterstützen; das ist keine Rechtsberatung, und der Mediator ist nicht verpflichtet,
die Rechte einer Partei zu wahren.

5. Einzelgespräche. Der Mediator kann mit jeder Seite getrennt und vertraulich sprechen. Was eine
Seite dem Mediator dort sagt, {caucus_clause}

6. Ende der Mediation. Eine Partei beendet die Mediation, indem sie es dem Mediator erklärt. Der
Mediator beendet sie, indem er es allen Parteien gemeinsam erklärt. Von diesem Moment an ist
nichts, was gesagt oder geschrieben wird, vertraulich.
""",
}

CAUCUS_CLAUSES = {
    "en": {
        Instruction.MAY_DISCLOSE: (
            "may be passed on by the mediator to the other parties, unless the side tells the "
            "mediator not to pass it on."
        ),
        Instruction.DO_NOT_DISCLOSE: (
            "stays private: the mediator passes it on only when the side says the mediator may."
        ),
    },
    "es": {
        Instruction.MAY_DISCLOSE: (
            "el mediador puede transmitirlo a las demás partes, salvo que ese lado le diga que "
            "no lo haga."
        ),
        Instruction.DO_NOT_DISCLOSE: (
            "queda en privado: el mediador solo lo transmite cuando ese lado le dice que puede "
            "hacerlo."
        ),
    },
    "de": {
        Instruction.MAY_DISCLOSE: (
            "darf der Mediator an die anderen Parteien weitergeben, es sei denn, die Seite sagt "
            "ihm, dass er es nicht weitergeben soll."
        ),
        Instruction.DO_NOT_DISCLOSE: (
            "bleibt vertraulich: Der Mediator gibt es nur weiter, wenn die Seite sagt, dass er es "
            "darf."
        ),
    },
}

RESULTS_CLAUSES = {
    "en": (
        "7. Confidential result. We agree that the result of the mediation, and any "
        "settlement, are confidential too."
    ),
    "es": (
        "7. Resultado confidencial. Acordamos que el resultado de la mediación, y cualquier "
        "acuerdo final, también son confidenciales."
    ),
    "de": (
        "7. Vertrauliches Ergebnis. Wir vereinbaren, dass auch das Ergebnis der Mediation und "
        "eine etwaige Einigung vertraulich sind."
    ),
}


def _court_clause(language: str, order: CourtOrder) -> str:
    court, ref, n = order.court, order.order_reference, order.min_sessions
    if language == "es":
        needs = f", que exige al menos {n} {'sesión' if n == 1 else 'sesiones'}." if n else "."
        return (
            f"8. Orden judicial. Esta mediación se lleva a cabo por orden de {court} "
            f"(referencia {ref}){needs}"
        )
    if language == "de":
        needs = (
            f", die mindestens {n} {'Sitzung' if n == 1 else 'Sitzungen'} verlangt." if n else "."
        )
        return (
            f"8. Gerichtliche Anordnung. Diese Mediation findet aufgrund einer Anordnung "
            f"von {court} statt (Aktenzeichen {ref}){needs}"
        )
    needs = f", which requires at least {n} session(s)." if n else "."
    return (
        f"8. Court order. This mediation takes place under an order of {court} "
        f"(reference {ref}){needs}"
    )


@dataclass(frozen=True)
class AgreementPolicy:
    caucus_default: Instruction = Instruction.MAY_DISCLOSE
    results_confidential: bool = False
    court_order: CourtOrder | None = None
    # R11.4: days the content is kept after the mediation ends (0: nothing after the report).
    retention_days: int = 365


def template_text(policy: AgreementPolicy, language: str = ORIGINAL_LANGUAGE) -> str:
    """The template under `policy`, in one of TEMPLATE_LANGUAGES."""
    text = TEMPLATE_TEXTS[language].format(
        caucus_clause=CAUCUS_CLAUSES[language][policy.caucus_default]
    )
    if policy.results_confidential:
        text += "\n" + RESULTS_CLAUSES[language] + "\n"
    if policy.court_order is not None:
        text += "\n" + _court_clause(language, policy.court_order) + "\n"
    return text


def base_language(code: str | None) -> str:
    """ "en-gb" -> "en": the template is written per language, not per region."""
    return (code or ORIGINAL_LANGUAGE).split("-")[0].lower()


@dataclass(frozen=True)
class AgreementText:
    """One language's text of an agreement version, and the SHA-256 a signer of it signs."""

    language: str
    text: str
    sha256: str


def signature_holds(texts: dict[str, AgreementText], language: str, signed_hash: str) -> bool:
    """A signature is checked against its own language's text: that text still hashes to the
    stored hash, and it is the hash the signer signed."""
    shown = texts.get(language)
    return shown is not None and sha256_hex(shown.text) == shown.sha256 == signed_hash


def normalise_text(text: str) -> str:
    """The exact text that is hashed and signed: NFC, Unix newlines, no trailing blanks."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return text.strip() + "\n"


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_own_text(text: str, *, limit: int) -> None:
    if not text.strip():
        raise BadInput("empty_text", _("Paste the text of your agreement to mediate."))
    if len(text) > limit:
        raise BadInput(
            "too_long",
            _("The agreement may be at most %(limit)s characters.")
            % {"limit": number_format(limit, force_grouping=True)},
        )


def check_signature(
    *, consent: bool, typed_name: str, expected_name: str, shown_hash: str, current_hash: str
) -> None:
    """R2.2: the signer saw this exact text (its hash), consented, and typed their full name."""
    if shown_hash != current_hash:
        raise DomainError(
            "agreement_changed",
            _("The agreement changed since you opened it. Read the new text and sign again."),
        )
    if not consent:
        raise BadInput("consent_required", _("Tick the box to confirm you agree."))
    if " ".join(typed_name.split()).casefold() != " ".join(expected_name.split()).casefold():
        raise BadInput(
            "name_mismatch",
            _("Type your full name exactly as it appears: %(name)s.") % {"name": expected_name},
        )
