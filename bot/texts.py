"""Every Korean sentence and label users see, in one place for review."""

from __future__ import annotations

# --- Card labels (SPEC §2, in this order) ---
LABEL_TITLE = "제목"
LABEL_EASY = "쉬운설명"
LABEL_FIELDS = "관련분야"
LABEL_VOTES = "추천수"
LABEL_LINK = "link"
LABEL_PDF = "PDF"
LABEL_SUMMARY = "요약"
LABEL_CODE = "코드"  # the paper's GitHub repository, after the fixed labels
LABEL_PROJECT = "프로젝트"  # the paper's project page, after the fixed labels
VOTES_UNKNOWN = "–"
FIELD_SEPARATOR = " · "
ENGLISH_MARK = "(영문 요약)"  # precedes an English fallback text on a card
SUMMARY_ENGLISH_MARK = "(영문)"  # precedes the abstract's sentences standing in for a Korean 요약
LABEL_KEYWORDS = "키워드"
DETAIL_BUTTON = "자세히"
NO_DESCRIPTION = "(설명이 아직 없습니다)"


def digest_header(day: str, n: int) -> str:
    """Header line of a day's digest."""
    return f"📰 {day} 허깅페이스 인기 논문 TOP {n}"


def period_header(since: str, until: str, days: int, n: int) -> str:
    """Header line of the top papers over a week or a month of lists."""
    period = PERIOD_NAMES.get(days, f"최근 {days}일")
    return f"📰 {since} ~ {until} 허깅페이스 {period} 인기 논문 TOP {n}"


def field_header(field_name: str, days: int, n: int) -> str:
    """Header line of a field's top papers."""
    return f"🔎 {field_name} 분야 최근 {days}일 인기 논문 TOP {n}"


def search_header(query: str, n: int, span: tuple[str, str] | None) -> str:
    """Header line of search results: the query, how many, and the days they were listed."""
    days = "" if span is None else f" ({span[0]} ~ {span[1]})" if span[0] != span[1] else f" ({span[0]})"
    return f"🔍 '{query}' 검색 결과 {n}편{days}"


def week_header(start: str, end: str, n: int) -> str:
    """Header line of the weekly digest."""
    return f"📰 {start} ~ {end} 주간 인기 논문 TOP {n}"


def continued_header(header: str, part: int, parts: int) -> str:
    """Header of the second and later message of a split digest."""
    return f"{header} ({part}/{parts})"


# --- Command replies ---
HELP_INTRO = """\
안녕하세요! 저는 paperbot이에요 📚
매일 아침 허깅페이스 Daily Papers에서 추천을 많이 받은 논문을 골라 한국어 카드로 보내 드려요."""
HELP_COMMANDS = "명령어"
HELP_ADMIN_COMMANDS = "관리자 전용"
HELP_LINE = "/{name}{usage} — {summary}"
HELP_EXAMPLES = " (예: {examples})"

# Per command: (arguments as shown in help, one-line description, examples, the menu's description).
COMMAND_TEXTS: dict[str, tuple[str, str, tuple[str, ...], str]] = {
    "top": (
        "[개수] [날짜] [week|month]",
        "최신 인기 논문 (week·month: 최근 7일·30일 목록에서 추천수 순)",
        ("/top", "/top 3", "/top 3 2025-02-11", "/top week", "/top month 10"),
        "최신 인기 논문 보기 (예: /top 3, /top week)",
    ),
    "field": (
        "<분야> [개수] [week|month]",
        "분야별 최근 인기 논문",
        ("/field 자연어 처리", "/field 비전 3", "/field 비전 month"),
        "분야별 인기 논문 (예: /field 자연어 처리)",
    ),
    "fields": ("", "분야 목록과 논문 수", (), "분야 목록과 논문 수"),
    "search": (
        "<검색어> [개수]",
        '제목·초록·키워드·한국어 설명에서 논문 찾기 (분야 이름, -제외어, "구절", arXiv id)',
        ("/search 강화학습", '/search "test-time scaling" -survey 3', "/search 2502.01234"),
        "논문 검색 (예: /search 강화학습 3)",
    ),
    "subscribe": (
        "[weekly] [분야 ...]",
        "이 채팅에서 매일 다이제스트 받기 (weekly: 매주 월요일에 지난주 TOP 10)",
        ("/subscribe", "/subscribe 비전 강화학습", "/subscribe weekly 자연어 처리"),
        "매일(또는 매주) 다이제스트 받기",
    ),
    "unsubscribe": (
        "[weekly | all]",
        "매일 다이제스트 그만 받기 (weekly: 주간만, all: 모두)",
        ("/unsubscribe", "/unsubscribe weekly"),
        "다이제스트 그만 받기",
    ),
    "settings": (
        "[time HH:MM | n 개수 | thread on|off]",
        "이 채팅의 설정 보기·바꾸기: 받는 시간, 논문 수(1–10), 슬랙 스레드, '기본'은 기본값으로",
        ("/settings", "/settings time 07:30", "/settings n 3", "/settings thread on"),
        "구독 설정 보기·바꾸기 (예: /settings time 07:30)",
    ),
    "keywords": (
        "[단어 ... | 끄기]",
        '이 채팅의 다이제스트가 따라갈 단어 ("구절", -제외어; 분야를 구독했으면 분야 또는 단어)',
        ("/keywords", "/keywords 끄기", '/keywords diffusion "video generation" -survey'),
        "다이제스트 키워드 정하기 (예: /keywords diffusion -survey)",
    ),
    "help": ("", "이 도움말", (), "도움말과 명령어 예시"),
    "start": ("", "이 도움말", (), "도움말과 명령어 예시"),
    "rebroadcast": (
        "[날짜] [here]",
        "그날의 다이제스트 다시 보내기",
        ("/rebroadcast 2025-02-11 here",),
        "(관리자) 그날의 다이제스트 다시 보내기",
    ),
    "paper": (
        "<arXiv id>",
        "논문 한 편의 요약, 키워드, 링크 (카드의 자세히 버튼과 같아요)",
        ("/paper 2502.06781",),
        "논문 자세히 보기 (예: /paper 2502.06781)",
    ),
    "stats": ("", "구독자와 최근 발송 현황", (), "(관리자) 구독자와 최근 발송 현황"),
}

UNKNOWN_COMMAND = "알 수 없는 명령어예요: /{command}\n/help 로 사용할 수 있는 명령어를 확인해 주세요."
UNKNOWN_COMMAND_SUGGEST = "혹시 /{command} 인가요?"
ARGS_TOO_LONG = "입력이 너무 길어요. 짧게 다시 입력해 주세요. (/help 참고)"
TOP_USAGE = "사용법: /top [개수 1–{max_n}] [날짜 YYYY-MM-DD] [week|month] (예: /top 3 2025-02-11, /top week)"
PERIOD_NAMES = {7: "주간", 30: "월간"}  # /top week, /top month
PERIOD_TWICE = "기간은 week 또는 month 중 하나만 적어 주세요. (예: /top week)"
NO_PAPERS_PERIOD = (
    "{since} ~ {until}에는 저장된 논문이 없어요. 가장 최근 논문은 {latest} 것이에요: /top {latest}"
)
SEARCH_USAGE = (
    "무엇을 찾을까요? 사용법: /search <검색어> [개수 1–{max_n}]\n"
    '예: /search 강화학습 · /search "diffusion transformer" -video · /search 2502.01234'
)
SEARCH_TOO_LONG = "검색어가 너무 길어요. {max_chars}자 이내로 입력해 주세요."
SEARCH_NONE = "'{query}'에 맞는 논문을 찾지 못했어요. 다른 단어로 찾아보세요."
FIELD_USAGE = "사용법: /field <분야> [개수 1–{max_n}] (예: /field 자연어 처리 3)"
REBROADCAST_USAGE = "사용법: /rebroadcast [날짜 YYYY-MM-DD] [here] (예: /rebroadcast 2025-02-11 here)"
PAPER_USAGE = "사용법: /paper <arXiv id> (예: /paper 2502.06781)"
PAPER_UNKNOWN = "'{id}' 논문은 아직 저장되어 있지 않아요. /top 으로 최근 논문을 볼 수 있어요."
TOP_CAPPED = "한 번에 최대 {max_n}편까지 보여 드려요. {max_n}편을 보여 드릴게요."
BAD_NUMBER = "개수는 1부터 {max_n} 사이의 숫자로 적어 주세요."
BAD_DATE = "날짜 '{value}'를 알아볼 수 없어요. 2025-02-11 처럼 YYYY-MM-DD 형식으로 적어 주세요."
NO_PAPERS_YET = "아직 저장된 논문이 없어요. 관리자가 논문을 가져오면 다시 시도해 주세요."
NO_PAPERS_DAY = "{day}에는 저장된 논문이 없어요. 가장 최근 논문은 {latest} 것이에요: /top {latest}"
NO_PAPERS_FIELD = "최근 {days}일 동안 '{name}' 분야 논문이 없어요. /fields 로 다른 분야를 살펴보세요."
FIELD_UNKNOWN = "'{text}'에 해당하는 분야를 찾지 못했어요."
FIELD_SUGGEST = "혹시 이 분야인가요? {names}"
FIELD_LIST_HEADER = "📚 분야 목록 (최근 {days}일 논문 수)"
FIELD_LIST_LINE = "• {name} ({code}) — {count}편"
FIELD_LIST_FOOTER = "분야 이름으로 찾아보세요: /field 자연어 처리"
FIELD_PICK = "어떤 분야의 논문을 볼까요? 예: /field 자연어 처리"

NOT_CHAT_ADMIN = "그룹과 채널에서는 채팅 관리자만 구독을 바꿀 수 있어요."
NOT_BOT_ADMIN = "이 명령어는 봇 관리자만 쓸 수 있어요."
SUBSCRIBED = "✅ 이 채팅에서 매일 {time}({tz})에 인기 논문 다이제스트를 받아요."
SUBSCRIBED_FIELDS = "✅ 이 채팅에서 매일 {time}({tz})에 {names} 분야 논문만 받아요."
SUBSCRIBED_WEEKLY = "✅ 이 채팅에서 매주 월요일 {time}({tz})에 지난주 인기 논문 TOP {n}을 받아요."
SUBSCRIBED_WEEKLY_FIELDS = (
    "✅ 이 채팅에서 매주 월요일 {time}({tz})에 지난주 {names} 분야 인기 논문 TOP {n}을 받아요."
)
SUBSCRIPTION_UPDATED = "🔄 구독 설정을 바꿨어요."
UNSUBSCRIBED = "👋 구독을 해지했어요. 다시 받으려면 /subscribe 를 보내 주세요."
UNSUBSCRIBED_DAILY_WEEKLY_LEFT = (
    "👋 매일 다이제스트를 그만 받아요. 주간 다이제스트는 계속 받아요. (그만 받기: /unsubscribe weekly)"
)
UNSUBSCRIBED_WEEKLY = "👋 주간 다이제스트를 그만 받아요. 다시 받으려면 /subscribe weekly 를 보내 주세요."
UNSUBSCRIBED_WEEKLY_DAILY_LEFT = "👋 주간 다이제스트를 그만 받아요. 매일 다이제스트는 계속 받아요."
NOT_SUBSCRIBED = "이 채팅은 구독 중이 아니에요. /subscribe 로 구독할 수 있어요."
NOT_SUBSCRIBED_DAILY = (
    "이 채팅은 매일 다이제스트를 받고 있지 않아요. 주간 다이제스트를 그만 받으려면 /unsubscribe weekly"
)
NOT_SUBSCRIBED_WEEKLY = "이 채팅은 주간 다이제스트를 받고 있지 않아요. /subscribe weekly 로 받을 수 있어요."
UNSUBSCRIBE_USAGE = (
    "사용법: /unsubscribe (매일 다이제스트) · /unsubscribe weekly (주간) · /unsubscribe all (모두)"
)
SETTINGS_ACTIVE = "📮 구독 중 · 매일 {time}({tz}) · 분야: {fields}"
SETTINGS_ALL_FIELDS = "전체"
SETTINGS_INACTIVE = "이 채팅은 구독 중이 아니에요. /subscribe 로 구독할 수 있어요."
SETTINGS_THREAD_USAGE = "사용법: /settings thread on|off (예: /settings thread on)"
SETTINGS_THREAD_SLACK_ONLY = "스레드 설정은 슬랙 채널에만 적용돼요. 이 채팅에는 다이제스트가 지금처럼 와요."
SETTINGS_THREAD_ON = "🧵 이제 다이제스트는 머리글 메시지 하나로 오고, 카드는 그 스레드에 달려요."
SETTINGS_THREAD_OFF = "📰 이제 다이제스트 카드가 스레드 없이 채널에 바로 와요."
SETTINGS_THREAD_ACTIVE = "🧵 카드를 스레드로 받아요 (끄기: /settings thread off)"  # a /settings line on Slack
SETTINGS_WEEKLY = "📅 주간 다이제스트 · 매주 월요일 {time}({tz}) · 분야: {fields}"
SETTINGS_NO_DAILY = "📮 매일 다이제스트는 받지 않아요 (/subscribe 로 받기)"
SETTINGS_SCHEDULE = "⚙️ 받는 시간 {time}{time_default} · 논문 수 {n}편{n_default}"
SETTINGS_DEFAULT_MARK = " (기본값)"
SETTINGS_HINT = "바꾸기: /settings time 07:30 · /settings n 3 · 기본값으로: /settings time 기본"
SETTINGS_TIME_SET = "⏰ 이 채팅은 이제 {time}({tz})에 다이제스트를 받아요."
SETTINGS_TIME_RESET = "⏰ 받는 시간을 기본값 {time}({tz})으로 되돌렸어요."
SETTINGS_N_SET = "🔢 이 채팅은 이제 다이제스트에서 논문 {n}편을 받아요."
SETTINGS_N_RESET = "🔢 논문 수를 기본값 {n}편으로 되돌렸어요."
SETTINGS_NOT_SUBSCRIBED_NOTE = "(아직 구독 중이 아니에요. /subscribe 로 구독하면 이 설정으로 받아요.)"
SETTINGS_TIME_USAGE = (
    "시간은 00:00부터 23:59 사이로 적어 주세요. 예: /settings time 07:30 · 기본값으로: /settings time 기본"
)
SETTINGS_N_USAGE = (
    "논문 수는 1부터 {max_n} 사이의 숫자로 적어 주세요. 예: /settings n 3 · 기본값으로: /settings n 기본"
)
SETTINGS_UNKNOWN = "'{name}'은(는) 없는 설정이에요. 바꿀 수 있는 설정: {names} (예: /settings time 07:30)"
SETTINGS_NOT_ADMIN = (
    "그룹과 채널에서는 채팅 관리자만 설정을 바꿀 수 있어요. 지금 설정은 /settings 로 볼 수 있어요."
)
SETTINGS_KEYWORDS = "🔔 키워드: {keywords}"

KEYWORDS_SHOW = "🔔 이 채팅의 키워드: {keywords}\n바꾸려면 /keywords 단어 ..., 지우려면 /keywords 끄기"
KEYWORDS_NONE = '이 채팅은 따라가는 키워드가 없어요. 정하려면: /keywords diffusion "video generation" -survey'
KEYWORDS_SET = "✅ 키워드를 저장했어요: {keywords}\n매일 다이제스트에는 {scope}에 맞는 논문만 보내요."
KEYWORDS_SCOPE = "키워드"
KEYWORDS_SCOPE_FIELDS = "분야({fields}) 또는 키워드"
KEYWORDS_SET_EXCLUDED = (
    "✅ 제외어를 저장했어요: {keywords}\n매일 다이제스트에서 이 단어가 들어간 논문은 빼요."
)
KEYWORDS_EXCLUDED_NOTE = "(제외어가 들어간 논문은 빼요)"
KEYWORDS_NOT_SUBSCRIBED = (
    "이 채팅은 아직 구독 중이 아니에요. /subscribe 로 구독하면 키워드에 맞는 논문을 받아요."
)
KEYWORDS_CLEARED = "🔕 키워드를 지웠어요. 다이제스트는 구독한 분야의 인기 논문으로 돌아가요."
KEYWORDS_NOTHING_TO_CLEAR = "지울 키워드가 없어요. /keywords 단어 ... 로 정할 수 있어요."
KEYWORDS_USAGE = (
    "따라갈 단어를 적어 주세요. 사용법: /keywords <단어 ...> (지우려면 /keywords 끄기)\n"
    '예: /keywords diffusion "video generation" -survey'
)
KEYWORDS_TOO_MANY = "키워드는 제외어까지 합쳐 {max_n}개까지예요 (지금 {count}개). 줄여서 다시 보내 주세요."
KEYWORDS_TOO_LONG = "키워드가 너무 길어요. 모두 합쳐 {max_chars}자 이내로 적어 주세요."
KEYWORD_TOO_LONG = "'{word}…'는 너무 길어요. 키워드 하나는 {max_chars}자 이내로 적어 주세요."

REBROADCAST_STARTED = (
    "📤 {day} 다이제스트 재발송을 시작했어요 (받는 곳 {count}곳). 진행 상황은 /stats 로 볼 수 있어요."
)
REBROADCAST_RUNNING = "⏳ {day} 다이제스트 재발송이 이미 진행 중이에요. /stats 로 진행 상황을 확인해 주세요."
REBROADCAST_NO_RECIPIENTS = "보낼 곳이 없어요. 먼저 /subscribe 로 구독한 채팅이 있어야 해요."
REBROADCAST_NO_MATCH = "이 채팅의 분야({fields})에 맞는 {day} 논문이 없어서 보낼 다이제스트가 없어요."
REBROADCAST_NO_KEYWORD_MATCH = (
    "이 채팅의 분야·키워드 설정에 맞는 {day} 논문이 없어서 보낼 다이제스트가 없어요."
)
REBROADCAST_UNAVAILABLE = "지금은 재발송을 할 수 없어요 (발송 엔진이 꺼져 있어요)."
STATS_HEADER = "📊 구독자 현황"
STATS_PLATFORM = "• {platform}: 구독 {active} · 해지/차단 {inactive}"
STATS_NO_SUBSCRIBERS = "• 아직 구독자가 없어요"
STATS_BROADCASTS = "최근 발송"
STATS_BROADCAST_LINE = (
    "• #{id} {day} {kind} [{status}] "
    "성공 {sent} · 실패 {failed} · 차단 {blocked} · 불명 {unknown} · 대기 {pending}"
)
STATS_NO_BROADCASTS = "• 아직 발송 기록이 없어요"
KIND_NAMES = {"daily": "정기", "weekly": "주간", "rebroadcast": "재발송"}
INTERNAL_ERROR = "앗, 처리 중에 문제가 생겼어요. 잠시 후 다시 시도해 주세요."


# --- Rendered cards ---
FIELDS_UNKNOWN = "–"  # a card without 관련분야
MD_PDF_LINK_LABEL = "PDF 다운로드 링크"  # markdown digest: the link line's label
MD_PDF_LINK_TEXT = "PDF 다운로드"  # markdown digest: the link's text

# --- Console chat ---
CONSOLE_INTRO = "콘솔 채팅이에요. /help 로 명령어를 보고, /quit 또는 Ctrl-D 로 끝내요."
CONSOLE_NOT_A_COMMAND = "명령어는 / 로 시작해요. 예: /top 3"

# --- Daily run ---
DAILY_FAILED = "⚠️ {day} 다이제스트를 보내지 못했어요: {reason}"
DAILY_EMPTY = (
    "⚠️ {day} 허깅페이스 논문 목록이 마감 시각({deadline})까지 비어 있어서 다이제스트를 보내지 않았어요. "
    "목록이 나중에 올라오면 paperbot broadcast --date {day} 로 보낼 수 있어요."
)

# --- Broadcast engine: a platform that cannot be reached (DMs to the bot admins) ---
PLATFORM_NAMES = {"telegram": "텔레그램", "slack": "슬랙"}
PLATFORM_UNREACHABLE = (
    "⚠️ {platform} 서버에 {minutes}분째 연결하지 못하고 있어요. "
    "보내지 못한 메시지는 연결되는 대로 다시 보내요 (최대 {hours}시간)."
)
PLATFORM_BACK = (
    "✅ {platform} 서버에 다시 연결됐어요 ({minutes}분 동안 끊겨 있었어요). 밀린 메시지를 이어서 보내요."
)


def platform_unreachable(platform: str, minutes: float, hours: float) -> str:
    """The admins' DM when a platform has been unreachable for a while."""
    name = PLATFORM_NAMES.get(platform, platform)
    return PLATFORM_UNREACHABLE.format(platform=name, minutes=max(1, round(minutes)), hours=f"{hours:g}")


def platform_back(platform: str, minutes: float) -> str:
    """The admins' DM when an unreachable platform answers again."""
    name = PLATFORM_NAMES.get(platform, platform)
    return PLATFORM_BACK.format(platform=name, minutes=max(1, round(minutes)))


# --- Slack ---
SLACK_NOT_MEMBER = (
    "봇이 아직 이 채널에 없어서 다이제스트를 보낼 수 없어요.\n"
    "채널에서 /invite {bot} 으로 봇을 초대한 뒤 (또는 채널 이름 → 통합 → 앱 추가)\n"
    "{command} 를 다시 보내 주세요."
)

SLACK_THREAD_HINT = "🧵 논문 카드 {n}편은 이 메시지의 스레드에 있어요."

# --- The Slack app's description in its manifest ---
SLACK_APP_DESCRIPTION = "허깅페이스 Daily Papers 인기 논문을 매일 아침 한국어 카드로 전해 드려요."
SLACK_USAGE_EXAMPLE = "{usage}  예: {example}"
