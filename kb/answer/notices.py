"""Fixed texts of answers that quote nothing: a question in a language the offline answerer
cannot read, and the openings of related answers."""

from __future__ import annotations

from kb.models import NOT_STATED

ENGLISH_NOTICE = ("This assistant answers questions in English only, so it could not read "
                  "this question. Please ask it in English, or write to the program contact "
                  "below.")
# The same notice in the languages delegations write in most. Short and literal, so that a
# person who reads no English still learns that the question was not read and whom to ask.
NOTICES: dict[str, str] = {
    "fr": "Cet assistant ne répond qu'aux questions en anglais : il n'a pas pu lire votre "
          "question. Posez-la en anglais ou écrivez au contact du programme ci-dessous.",
    "es": "Este asistente solo responde preguntas en inglés: no pudo leer su pregunta. "
          "Hágala en inglés o escriba al contacto del programa que figura abajo.",
    "pt": "Este assistente só responde a perguntas em inglês: não conseguiu ler a sua "
          "pergunta. Faça-a em inglês ou escreva para o contato do programa abaixo.",
    "ar": "هذا المساعد يجيب عن الأسئلة باللغة الإنجليزية فقط، ولم يتمكن من قراءة سؤالك. "
          "يرجى طرحه باللغة الإنجليزية أو مراسلة جهة الاتصال الخاصة بالبرنامج أدناه.",
    "zh": "本助手只回答英文问题，无法读取您的问题。请用英文提问，或联系下方的项目联系人。",
    "ru": "Этот помощник отвечает только на вопросы на английском языке и не смог прочитать "
          "ваш вопрос. Задайте его по-английски или напишите контактному лицу программы ниже.",
    "id": "Asisten ini hanya menjawab pertanyaan dalam bahasa Inggris, sehingga tidak dapat "
          "membaca pertanyaan Anda. Ajukan dalam bahasa Inggris atau hubungi kontak program "
          "di bawah ini.",
    "de": "Dieser Assistent beantwortet nur Fragen auf Englisch und konnte Ihre Frage nicht "
          "lesen. Bitte stellen Sie sie auf Englisch oder schreiben Sie an den unten "
          "genannten Programmkontakt.",
    "it": "Questo assistente risponde solo a domande in inglese e non ha potuto leggere la "
          "sua domanda. La ponga in inglese o scriva al contatto del programma indicato sotto.",
    "ja": "このアシスタントは英語の質問にのみ回答するため、ご質問を読み取れませんでした。"
          "英語で質問するか、下記のプログラム連絡先にお問い合わせください。",
    "ko": "이 도우미는 영어 질문에만 답하므로 질문을 읽을 수 없었습니다. 영어로 질문하시거나 "
          "아래 프로그램 담당자에게 문의하십시오.",
    "tr": "Bu asistan yalnızca İngilizce soruları yanıtlar ve sorunuzu okuyamadı. Lütfen "
          "İngilizce sorun veya aşağıdaki program irtibat kişisine yazın.",
    "vi": "Trợ lý này chỉ trả lời câu hỏi bằng tiếng Anh nên không đọc được câu hỏi của bạn. "
          "Vui lòng hỏi bằng tiếng Anh hoặc liên hệ đầu mối của chương trình bên dưới.",
}

# What a related answer says is missing, by the kind of answer asked for.
KIND_PHRASES = {
    "date": "a date", "duration": "a duration", "frequency": "how often",
    "count": "a number", "money": "an amount of money", "percent": "a percentage",
    "email": "an e-mail address", "phone": "a phone number", "url": "a web address",
    "person": "a name", "contact": "whom to contact", "citation": "a law or section",
}
CLOSEST = "The closest passages say:"
PARTLY = "What they say on the rest of the question, and the closest passages:"


def not_given(kind: str, part: str) -> str:
    """"The documents do not give a duration for “How long ...?”."""
    return f"{NOT_STATED} give {KIND_PHRASES.get(kind, 'that')} for \u201c{part}\u201d."


def not_said(words: list[str], part: str) -> str:
    """"The documents do not say anything about “visa” in answer to “...”."""
    listed = ", ".join(f"\u201c{w}\u201d" for w in words)
    return f"{NOT_STATED} say anything about {listed} in answer to \u201c{part}\u201d."


def not_mentioned(names: list[str], part: str) -> str:
    """"The documents do not mention “Omicron” (asked in “...”)."""
    listed = ", ".join(f"\u201c{n}\u201d" for n in names)
    return f"{NOT_STATED} mention {listed} (asked in \u201c{part}\u201d)."


def not_in_so_many_words(part: str) -> str:
    """"The documents do not answer “...” in so many words": the closest sentences state
    the kind of thing asked for, but read too far from the question to count as its answer."""
    return f"{NOT_STATED} answer \u201c{part}\u201d in so many words."


def nothing_on(part: str) -> str:
    """Why a part is unanswered: no passage is close to it."""
    return f"{NOT_STATED} say anything close to \u201c{part}\u201d."


def read_as(repairs: list[tuple[str, str]]) -> str:
    """"The question was read with “ofen” as “often” and “u” as “you”.": an answer quotes
    the question as read, which the asker should be able to check against what they typed."""
    pairs = [f"\u201c{typed}\u201d as \u201c{read}\u201d" for typed, read in repairs]
    listed = pairs[0] if len(pairs) == 1 else f"{', '.join(pairs[:-1])} and {pairs[-1]}"
    return f"The question was read with {listed}."
