"""The decisions a meeting's minutes or decision notice record, read from the text.

Minutes print a decision in a few set forms whatever the council: a vote put ("On being
put to the vote the amendment was CARRIED (5 for, 1 against)", "RESULT: APPROVED
[4-2-1-1]"), a resolution ("RESOLVED that ...", "It was APPROVED that ...", "The
Committee noted the report."), and a decision notice's "Decision taken" form. Each is one
:class:`Decision`; a resolution printed after the vote that made it belongs to that vote.
The passage runs from the first sentence after the previous decision (where the motion
is moved) to the outcome, and on through a roll call printed under it ("AYES: ...",
"NOES: None"), so who moved it and how the vote went are read from the same passage and
never from a neighbouring item. A field the paper does not print stays empty.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from ingest.document import ExtractedDocument
from ingest.sentences import numbered_start, sentence_spans
from ingest.structure import Outline

KINDS = ("motion", "amendment", "recommendation", "resolution")
VERSION = 6  # raised when extraction changes, so that ingest reads every paper's decisions again

# A vote put, and the word that gives its result (minutes print it in capitals).
_VOTE = re.compile(r"\bput to (?:the |a )?vote\b|\bvote was (?:then )?(?:held|taken)\b|\bRESULT\s*:|\bvoted on\b"
                   r"|\bby the following (?:[a-z]+ ){0,2}vote\b", re.I)
_RESULT = re.compile(r"\b(CARRIED|LOST|FELL|FAILED|DEFEATED|APPROVED|ADOPTED|AGREED|REJECTED)\b")
_RESULT_WORDS = {"CARRIED": "carried", "LOST": "lost", "FELL": "fell", "FAILED": "lost", "DEFEATED": "lost",
                 "REJECTED": "lost", "APPROVED": "approved", "ADOPTED": "approved", "AGREED": "agreed"}
# A resolution: the body's own decision, with no vote described.
_RESOLVED = re.compile(
    r"\b(?:RESOLVED|It was (?:APPROVED|AGREED|NOTED)|(?:were|was) (?:agreed|approved) as (?:a )?(?:correct|accurate)"
    r"|(?:Committee|Board|Cabinet|Council|Commission|Panel|Forum|Members?)\b[^.]{0,80}?\b"
    r"(?:noted|approved|agreed|endorsed|debated and noted)\b(?! that\b))")
# "That the Transport and Connectivity Committee:" before the numbered points it resolved.
_RESOLUTION_LEAD = re.compile(r"^(?:\d+\.\s*)?That the\b[^.]{0,120}?\b(?:Committee|Board|Cabinet|Council|Commission|Panel)\b"
                              r"[^.]{0,40}:\s*(?:\d+\.\s*)?(?:not(?:ed|e)|approv|agree)?", re.I)
_ENUMERATED = re.compile(r"^(?:\(?\d{1,2}[a-z]?[.)]|\(?[a-z][.)]|\(?[ivx]{1,4}[.)]|That\b"
                         r"|(?:Approved|Noted|Agreed|Authori[sz]ed|Delegated|Endorsed|Refer(?:red)?)\b)\s*", re.I)
_BARE_NUMBER = re.compile(r"^\(?(?:\d{1,2}[a-z]?|[a-z]|[ivx]{1,4})[.)]$", re.I)
_WITHDRAWN = re.compile(r"\b(?:was|were) withdrawn\b", re.I)
_DEFERRED = re.compile(r"\b(?:deferred|postponed|continued to (?:the|a) (?:next|later|future) meeting)\b", re.I)
_PROPOSED = re.compile(r"\bmoved\b|\bMOTION\b|\bproposed\b", re.I)
_MOVER = re.compile(
    r"(?:moved|proposed)\s+by\s+(?:Councillor|Cllr\.?|Commissioner|Mayor|Member)?\s*([A-Z][\w'’-]+(?: [A-Z][\w'’-]+)?)"
    r"|(?:Councillor|Cllr\.?|Commissioner)\s+([A-Z][\w'’-]+(?: [A-Z][\w'’-]+)?)\s+(?:moved|proposed)\b"
    r"|MOTION(?: BY)?\s*:\s*(?:Commissioner|Councillor|Cllr\.?)?\s*([A-Z][\w'’-]+(?: [A-Z][\w'’-]+)?)")
_SECONDER = re.compile(
    r"seconded\s+by\s+(?:Councillor|Cllr\.?|Commissioner|Mayor|Member)?\s*([A-Z][\w'’-]+(?: [A-Z][\w'’-]+)?)"
    r"|(?:Councillor|Cllr\.?|Commissioner|Chair|Mayor|Member)\s+([A-Z][\w'’-]+(?: [A-Z][\w'’-]+)?)\s+seconded\b"
    r"|SECOND(?:ED)?(?: BY)?\s*:\s*(?:Commissioner|Councillor|Cllr\.?)?\s*([A-Z][\w'’-]+(?: [A-Z][\w'’-]+)?)")
_NUMBER = r"(\d+|none|no|nil)"
_FOR = re.compile(_NUMBER + r"\s+(?:members?\s+|councillors?\s+)?(?:voting\s+|votes?\s+)?(?:in favour|for)\b", re.I)
_AGAINST = re.compile(_NUMBER + r"\s+(?:members?\s+|councillors?\s+)?(?:voting\s+|votes?\s+)?against\b", re.I)
_ABSTAIN = re.compile(_NUMBER + r"\s+(?:members?\s+|councillors?\s+)?(?:abstentions?|abstaining|abstained)\b"
                      r"|(?:abstentions?|abstaining)\s*:?\s*" + _NUMBER + r"\b", re.I)
_TALLY = re.compile(r"\[(\d+)-(\d+)(?:-(\d+))?(?:-(\d+))?\]")  # US: [ayes-nays-abstain-absent]
_UNANIMOUS = re.compile(r"\bunanimous", re.I)
# An outcome stated on its own after a roll call: "Amendment lost.", "The motion was CARRIED."
_OUTCOME_ALONE = re.compile(r"^(?:the\s+)?(?:motion|amendment|recommendations?|resolution)\s+(?:was\s+|were\s+)?"
                            r"(?:carried|lost|fell|failed|approved|adopted|agreed|defeated|rejected|passed)\b[.!]?$",
                            re.I)
# A roll call: each way of voting as a label, then the members who voted so or a count
# ("AYES: Commissioners Davis and Perez", "NOES: None", "For (9): Cllrs Ali, Brown",
# "Against (41)" over a list of names). A label needs its colon or its bracketed count; one
# that is also an everyday word ("For", "Against", "Absent") must also start its line.
_ROLL_SIDES = {
    "for": (r"AYES?|Ayes?|YEAS?|Yeas?|FOR|IN FAVOU?R", r"For|In favou?r|Voting for"),
    "against": (r"NOES|Noes|NAYS?|Nays?|AGAINST", r"Against|Voting against"),
    "abstain": (r"ABSTAIN(?:S|ED|ING|TIONS?)?|ABSTENTIONS?", r"Abstain(?:s|ed|ing)?|Abstentions?"),
    "absent": (r"ABSENT", r"Absent"),
}
_ROLL_LABEL = re.compile(
    r"(?:(?:^|(?<=[\s.;]))(?:" + "|".join(f"(?P<{side}>{marked})" for side, (marked, _) in _ROLL_SIDES.items())
    + r")|^(?:" + "|".join(f"(?P<{side}_word>{word})" for side, (_, word) in _ROLL_SIDES.items()) + r"))"
    r"(?:\s*\((?P<count>\d{1,3})\))?(?:\s*:|(?(count)(?=\s*\n)|(?!)))", re.M)
_ROLL_LINE = re.compile(r"^\s*(?:" + "|".join(f"{marked}|{word}" for marked, word in _ROLL_SIDES.values())
                        + r")(?:\s*\(\d{1,3}\))?\s*:")
# Titles printed before names in a roll call: "Commissioners", "Vice Chair", "Cllrs".
_MEMBER_TITLE = re.compile(
    r"^(?:(?:Vice|Deputy)\s+)?(?:Chair(?:man|woman|person)?|Mayor(?:\s+Pro\s+Tem(?:pore)?)?|President|"
    r"Commissioners?|Council\s*(?:Members?|lors?)|Cllrs?\.?|Board\s+Members?|Members?|Trustees?|Directors?|"
    r"Supervisors?|Alder(?:man|men|persons?)|Mr|Mrs|Ms|Miss|Dr)\.?\s+", re.I)
_NOBODY = re.compile(r"^(?:none|nil|no ?one|nobody|n/a|-|–)\.?$", re.I)
_NAME_WORD = re.compile(r"^[A-Z][\w'’.-]*$")
_ITEM = re.compile(r"^\s*(?:item\s+)?(\d{1,3}[a-z]?)[.)]?\s+(\S.*)$", re.I)
_AGENDA_ITEM = re.compile(r"\(agenda item (\d{1,3}[a-z]?)\)", re.I)
_SUBJECT = re.compile(r"Subject:\s*(.+?)\s*\(agenda item", re.I | re.S)
_DECISION_TAKEN = re.compile(r"^\s*(?:\([a-z]\)\s*)?Decisions? taken\b", re.I | re.M)
_FORM_END = re.compile(r"^\s*\([a-z]\)\s*(?:Exempt|Reasons?|Alternative|Decision made)", re.I | re.M)


@dataclass(frozen=True)
class Decision:
    """One decision a meeting recorded, with the passage and page it was read from."""

    item_number: str
    item_title: str
    kind: str  # one of KINDS
    outcome: str  # one of council_qa.config.DECISION_OUTCOMES
    votes_for: int | None
    votes_against: int | None
    votes_abstain: int | None
    proposer: str
    seconder: str
    page: int
    start: int
    end: int
    passage: str
    # The members a roll call names as voting each way, and as absent; () where it names none.
    voted_for: tuple[str, ...] = ()
    voted_against: tuple[str, ...] = ()
    voted_abstain: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict) -> "Decision":
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()})

    @property
    def named_voters(self) -> bool:
        """Whether the paper names who voted (a roll call), not only how many."""
        return bool(self.voted_for or self.voted_against or self.voted_abstain)


def extract_decisions(document: ExtractedDocument, outline: Outline, doc_type: str) -> list[Decision]:
    """Every decision of a minutes document or decision notice (none for other papers)."""
    if doc_type == "decision":
        return _notice_decisions(document) or _minutes_decisions(document, outline)
    if doc_type == "minutes":
        return _minutes_decisions(document, outline)
    return []


def _minutes_decisions(document: ExtractedDocument, outline: Outline) -> list[Decision]:
    text = document.text
    decisions: list[Decision] = []
    for start, end, number, title in _items(outline, text):
        block_start = start
        vote: Decision | None = None  # the last vote, whose resolution may follow it
        extending = bare_number = False  # the last decision's numbered points may follow
        pending: int | None = None  # a vote put whose result is in the next sentence
        covered = start  # where the last vote's passage ends: its roll call may run past its sentence
        for s_start, s_end in sentence_spans(text, start, end):
            if s_end <= covered:
                continue
            s_start = numbered_start(text, s_start, start)  # "4a. Approved ...": the number marks a point
            sentence = " ".join(text[(pending if pending is not None else s_start):s_end].split())
            if extending and (_ENUMERATED.match(sentence) or bare_number) and not _VOTE.search(sentence):
                decisions[-1] = _extend(decisions[-1], text, s_end)
                block_start = s_end
                bare_number = bool(_BARE_NUMBER.match(sentence))  # "2a." alone: its point follows
                continue
            extending = bare_number = False
            if _PROPOSED.search(sentence) and not _VOTE.search(sentence):
                vote = None  # a new motion: what follows is not the last vote's resolution
            if _VOTE.search(sentence):
                outcome = _vote_outcome(sentence)
                if not outcome:
                    pending = s_start if pending is None else pending
                    continue
                vote = _decision(text, document, number, title, block_start, pending or s_start, s_end, outcome,
                                 vote=True)
                decisions.append(vote)
                covered = vote.end
                block_start, pending, extending = max(s_end, vote.end), None, True
                continue
            pending = None
            if _WITHDRAWN.search(sentence) and re.search(r"amendment|motion", sentence, re.I):
                decisions.append(_decision(text, document, number, title, block_start, s_start, s_end, "withdrawn"))
                block_start, vote = s_end, None
                continue
            if _RESOLVED.search(sentence) or _RESOLUTION_LEAD.match(sentence):
                if vote is not None:  # the resolution the vote before it made
                    decisions[-1] = _extend(vote, text, s_end)
                else:
                    outcome = "deferred" if _DEFERRED.search(sentence) else _resolution_outcome(
                        " ".join(text[s_start:min(end, s_end + 300)].split()))
                    decisions.append(_decision(text, document, number, title, block_start, s_start, s_end, outcome))
                block_start, extending = s_end, True
    return decisions


def is_decision_statement(sentence: str) -> bool:
    """Whether a sentence states part of a decision: who moved or seconded it, the vote and
    its result, who voted each way, or the resolution (what an answer about the decision
    should quote)."""
    names, counts = _roll_call(sentence)
    sentence = " ".join(sentence.split())
    return bool(names or counts or _OUTCOME_ALONE.match(sentence) or _MOVER.search(sentence)
                or _SECONDER.search(sentence) or _vote_outcome(sentence) or _RESOLVED.search(sentence)
                or _RESOLUTION_LEAD.match(sentence) or _WITHDRAWN.search(sentence)
                or (_RESULT.search(sentence) and _counts(sentence) != (None, None, None)))


def _notice_decisions(document: ExtractedDocument) -> list[Decision]:
    """A decision notice: one decision per "Decision taken" form."""
    text = document.text
    decisions = []
    marks = list(_DECISION_TAKEN.finditer(text))
    for index, mark in enumerate(marks):
        limit = marks[index + 1].start() if index + 1 < len(marks) else len(text)
        ending = _FORM_END.search(text, mark.end(), limit)
        end = ending.start() if ending else limit
        form_start = marks[index - 1].end() if index else 0
        header = text[form_start:mark.start()]
        items = list(_AGENDA_ITEM.finditer(header))
        subjects = list(_SUBJECT.finditer(header))
        number = items[-1].group(1) if items else ""
        title = " ".join(subjects[-1].group(1).split()) if subjects else ""
        body = text[mark.end():end]
        votes = _counts(" ".join(body.split()))
        approving = re.sub(r"\bnot (?:been )?approved\b", "", body, flags=re.I)
        outcome = ("approved" if re.search(r"\b(?:approv|authori[sz]|agree|adopt|endorse)", approving, re.I)
                   else "lost" if approving != body
                   else "noted" if re.search(r"\bnot(?:ed|e)\b", body, re.I) else "agreed")
        kind = "recommendation" if outcome in ("approved", "lost") else "resolution"
        decisions.append(Decision(number, title, kind, outcome, *votes, "", "", _page(document, mark.start()),
                                  mark.start(), end, text[mark.start():end].strip()))
    return decisions


def _items(outline: Outline, text: str) -> list[tuple[int, int, str, str]]:
    """The minutes' items: (start, end, number, title), from the outline's top level."""
    items: list[tuple[int, int, str, str]] = []
    for section in outline.sections:
        heading = section.path[0] if section.path else ""
        match = _ITEM.match(heading)
        if items and (not match or (match.group(1), match.group(2)) == (items[-1][2], items[-1][3])):
            start, _, number, title = items[-1]
            items[-1] = (start, section.end, number, title)  # the item's sub-sections
        elif match:
            items.append((section.start, section.end, match.group(1), match.group(2).strip()))
        else:
            items.append((section.start, section.end, "", heading))
    return items


def _vote_outcome(sentence: str) -> str:
    """The result of a vote this sentence reports, or ""."""
    if not _VOTE.search(sentence):
        return ""
    result = _RESULT.search(sentence)
    if result:
        return _RESULT_WORDS[result.group(1)]
    lowered = sentence.lower()
    for word, outcome in (("carried", "carried"), ("lost", "lost"), ("fell", "fell"), ("failed", "lost"),
                          ("approved", "approved"), ("agreed", "agreed")):
        if re.search(rf"\b{word}\b", lowered):
            return outcome
    return ""


def _resolution_outcome(text: str) -> str:
    """The decision a resolution's first verb makes ("noted the report and agreed ...": noted)."""
    verbs = {"noted": "noted", "note": "noted", "agreed": "agreed", "approved": "approved", "approve": "approved",
             "endorsed": "approved", "authorised": "approved"}
    first = re.search(r"\b(" + "|".join(verbs) + r")\b", text, re.I)
    return verbs[first.group(1).lower()] if first else "agreed"


def _decision(text: str, document: ExtractedDocument, number: str, title: str, start: int, sentence_start: int,
              end: int, outcome: str, vote: bool = False) -> Decision:
    """A decision whose passage is ``text[start:end]``, its outcome read from the sentence
    at ``sentence_start`` (with a parenthesis it opens, which may run past a full stop)."""
    passage = text[start:end].strip()
    result = text[sentence_start:end]
    if result.count("(") > result.count(")"):
        close = text.find(")", end, end + 200)
        result = text[sentence_start:close + 1] if close != -1 else result
    result = " ".join(result.split())
    # A count the line break cut off ("4 voting FOR, 1 | AGAINST and 4 ABSTAINING"), not the next vote's.
    following = re.match(r"\s*[^.]*", text[end:end + 200]).group(0) if vote else ""
    following = "" if _VOTE.search(following) or _PROPOSED.search(following) else following
    kind = _kind(result if vote else passage, vote)
    votes = _counts(result + " " + " ".join(following.split())) if vote else (None, None, None)
    roll: dict[str, tuple[str, ...]] = {}
    if vote:
        end = max(end, _roll_call_end(text, end))
        passage = text[start:end].strip()
        roll, printed = _roll_call(passage)
        votes = tuple(v if v is not None else printed.get(side)
                      for v, side in zip(votes, ("for", "against", "abstain")))
    movers = _MOVER.findall(passage)
    seconders = _SECONDER.findall(passage)
    proposer = next((name for groups in reversed(movers) for name in groups if name), "")
    seconder = next((name for groups in reversed(seconders) for name in groups if name), "")
    offset = len(text[start:end]) - len(text[start:end].lstrip())
    return Decision(number, title, kind, outcome, *votes, proposer, seconder, _page(document, end - 1),
                    start + offset, end, passage, roll.get("for", ()), roll.get("against", ()),
                    roll.get("abstain", ()), roll.get("absent", ()))


def _roll_call_end(text: str, end: int) -> int:
    """Where the roll call printed under a vote ends: its labelled lines ("AYES: ...",
    "NOES: None") and the lines their lists run on to; ``end`` when none follows."""
    line_end = text.find("\n", end)
    if line_end == -1:
        return end
    last, in_list = end, False
    for match in re.finditer(r"[^\n]*(?:\n|$)", text[line_end + 1:]):
        line = match.group(0).strip()
        if not match.group(0):
            break
        if not line:
            in_list = False
            continue
        # A list runs on to the next line ("AYES: Commissioners Davis, Vice Chair" / "Valencia").
        runs_on = in_list and _members(re.sub(r"^(?:and|&)\s+", "", line).strip(" .")) is not None
        if _ROLL_LINE.match(line) or runs_on:
            last = line_end + 1 + match.start() + len(match.group(0).rstrip())
            in_list = not line.endswith(".")
            continue
        break
    return last


def _roll_call(passage: str) -> tuple[dict[str, tuple[str, ...]], dict[str, int]]:
    """The members named under each label of a roll call, and each side's count: printed
    with its label ("For (9)", "AYES: 5"), else the names listed ("NOES: None" is 0)."""
    labels = list(_ROLL_LABEL.finditer(passage))
    names: dict[str, tuple[str, ...]] = {}
    counts: dict[str, int] = {}
    for k, label in enumerate(labels):
        side = next(side for side in _ROLL_SIDES if label.group(side) or label.group(f"{side}_word"))
        stop = labels[k + 1].start() if k + 1 < len(labels) else len(passage)
        listed = passage[label.end():stop]
        listed = re.split(r"\n\s*\n|(?<=[a-z]{2})\.(?:\s|$)|\b(?:MOTION|SECOND(?:ED)?|RESULT)\b", listed)[0]
        if label.group("count"):
            counts[side] = int(label.group("count"))
        bare = " ".join(listed.split()).strip(" .;")
        if re.fullmatch(r"\d{1,3}", bare):
            counts.setdefault(side, int(bare))
            continue
        members = _members(bare)
        if members is not None:
            names[side] = members
            if side != "absent":
                counts.setdefault(side, len(members))  # a roll call counts as its names
    return names, counts


def _members(listed: str) -> tuple[str, ...] | None:
    """The names of a roll call's list ("Commissioners *Davis, **Hernandez, and Perez, Vice
    Chair Valencia"), titles and footnote marks left off; () for "None"; None when the
    text is not a list of names."""
    if _NOBODY.match(listed):
        return ()
    members = []
    for part in re.split(r"\s*[,;]\s*(?:and\s+|&\s*)?|\s+(?:and|&)\s+", listed):
        part = part.strip(" *.")
        while (titled := _MEMBER_TITLE.sub("", part, count=1)) != part:
            part = titled.strip(" *")
        words = part.split()
        if not words:
            continue
        if len(words) > 4 or not all(_NAME_WORD.match(w) or w.lower() in ("de", "van", "von", "la", "le", "da")
                                     for w in words):
            return None
        members.append(part)
    return tuple(members) or None


def _extend(decision: Decision, text: str, end: int) -> Decision:
    return Decision(**{**decision.to_dict(), "end": end, "passage": text[decision.start:end].strip()})


def _kind(text: str, vote: bool) -> str:
    for kind in ("amendment", "motion", "recommendation"):
        if re.search(rf"\b{kind}s?\b", text, re.I):  # not "promotion"
            return kind
    return "motion" if vote else "resolution"


def _counts(text: str) -> tuple[int | None, int | None, int | None]:
    """Votes for, against and abstaining as printed; None where the paper prints none (a
    figure "for" alone, as in "£124 for a permit", is not a vote)."""
    tally = _TALLY.search(text)
    if tally:
        ayes, nays, abstain = (int(g) if g is not None else None for g in tally.groups()[:3])
        return ayes, nays, abstain
    against, abstain = _count(_AGAINST, text), _count(_ABSTAIN, text)
    if against is None and abstain is None:
        return None, None, None
    return _count(_FOR, text), against, abstain


def _count(pattern: re.Pattern, text: str) -> int | None:
    match = pattern.search(text)
    if not match:
        return None
    word = next(g for g in match.groups() if g)
    return 0 if word.lower() in ("none", "no", "nil") else int(word)


def _page(document: ExtractedDocument, offset: int) -> int:
    """The page holding ``offset``, or the next page when it falls between two (0 if unpaged)."""
    return next((span.number for span in document.pages if span.end > offset), 0)
