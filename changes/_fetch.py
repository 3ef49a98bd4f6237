"""Fetching one document for `wirespec update`: a URL in, the bytes to keep in sources/ out.

HTML to text: html-to-markdown (a Rust core). Compared on a page mirroring DashScope's parameter
table and Cloudflare's parameter tree (tests/corpus/fetch/), only it and markdownify kept every
table row on one line with its cells in order (a cell's paragraphs and list joined by spaces)
and nested lists indented; html2text and inscriptis split a row whose cell holds a list,
trafilatura dropped that list, html-text dropped the table. markdownify (BeautifulSoup) took
10-20 s on 2 MB of nested tags and raised RecursionError past ~300 levels; html-to-markdown
converts those pages in under a second, never crashing (text nested past 1024 levels is dropped).

Never sends credentials (no auth, cookies or userinfo; the request is built here, not from a
client's defaults) and never touches sources/ or the manifest: the caller stores what it gets.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy

import html_to_markdown
import httpx

from wirespec._exceptions import FetchError

MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# a server that does not say (or says only "some text"): the body's first tag decides
GENERIC_TYPES = frozenset({"", "text/plain", "application/octet-stream"})
HTML_START = re.compile(rb"\s*<(!doctype\s+html|html[\s>])", re.IGNORECASE)
META_CHARSET = re.compile(rb"<meta[^>]{0,512}?charset\s*=\s*[\"']?([A-Za-z0-9._:-]{1,40})",
                          re.IGNORECASE)
# br and zstd are not asked for: their ratios make one network chunk a very large body
REQUEST_HEADERS = {"User-Agent": "wirespec (fetching API documentation)", "Accept": "*/*",
                   "Accept-Encoding": "gzip, deflate"}
# characters str.splitlines() breaks on besides \n and \r: a table row must stay one line
LINE_BREAKS = str.maketrans(dict.fromkeys("\v\f\x1c\x1d\x1e\x85\u2028\u2029", " "))

CONVERSION = html_to_markdown.ConversionOptions(
    extract_metadata=False,  # no front matter: the page's text only
    hidden_content="reachable",  # inactive tabs and collapsed child attributes are the document
    inline_data_media="alt_text_only",  # no base64 payloads in the text
    preprocessing=html_to_markdown.PreprocessingOptions(enabled=False),  # nothing guessed away
    tier_strategy="tier2",  # one conversion path for every page (the DOM walker)
)


@dataclass(frozen=True)
class Fetched:
    url: str  # the URL asked for
    final_url: str  # after redirects
    data: bytes  # what to store: the body as is, or an HTML page's text (UTF-8)
    media_type: str  # as served ("text/html" for HTML found by its first tag)
    converted: bool  # True when HTML was turned into text


def fetch(url: str, *, client: httpx.Client | None = None, timeout: float = 30.0,
          max_bytes: int = 16 * 1024 * 1024) -> Fetched:
    """GET ``url`` (http or https, redirects followed up to 5) as a document to store.

    ``timeout`` bounds the whole fetch, redirects included; ``max_bytes`` the body (read in a
    stream, never past the cap) and the text made from it. A ``client`` of the caller's is used
    for its transport only: none of its headers, cookies or auth is sent. Every failure is a
    FetchError of one line.
    """
    target = checked_url(url)
    deadline = time.monotonic() + timeout
    http = client or httpx.Client(cookies=refusing_cookies())
    try:
        final_url, content_type, body = download(http, url, target, deadline, max_bytes)
    finally:
        if client is None:
            http.close()
    return document(url, str(final_url), content_type, body, max_bytes)


def checked_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        raise FetchError(unparsed_shown(url), "not a valid URL") from None
    reason = refusal(parsed)
    if reason:
        raise FetchError(url, reason)
    return parsed


def refusal(url: httpx.URL) -> str | None:
    """Why wirespec will not ask for ``url``, if it will not."""
    if url.scheme not in ("http", "https"):
        scheme = f"{url.scheme}:" if url.scheme else "no scheme"
        return f"only http and https URLs are fetched (not {scheme})"
    if not url.host:
        return "no host in the URL"
    if url.userinfo:
        return "a URL with credentials is refused (wirespec never sends any)"
    return None


def unparsed_shown(url: str) -> str:
    """A URL httpx cannot read, shown with everything up to its last ``@`` hidden."""
    scheme, slashes, rest = url.partition("//")
    at = rest.rfind("@", 0, min([i for i in map(rest.find, "?#") if i >= 0] or [len(rest)]))
    return f"{scheme}//***{rest[at:]}" if slashes and at >= 0 else url


def refusing_cookies() -> httpx.Cookies:
    """A cookie jar that keeps nothing a server sets."""
    return httpx.Cookies(CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])))


def download(http: httpx.Client, url: str, target: httpx.URL, deadline: float,
             max_bytes: int) -> tuple[httpx.URL, str, bytes]:
    """(final URL, Content-Type, body) of the first response that is not a redirect."""
    for _ in range(MAX_REDIRECTS + 1):
        response = send(http, url, target, deadline)
        try:
            if response.status_code in REDIRECT_STATUSES:
                target = redirect_target(url, target, response)
                continue
            if not response.is_success:
                phrase = httpx.codes.get_reason_phrase(response.status_code)
                raise FetchError(url, f"HTTP {response.status_code} {phrase}".rstrip())
            body = read_capped(url, response, deadline, max_bytes)
            return target, response.headers.get("content-type", ""), body
        except httpx.HTTPError as error:
            raise FetchError(url, network_reason(error)) from None
        finally:
            response.close()
    raise FetchError(url, f"too many redirects (more than {MAX_REDIRECTS})")


def send(http: httpx.Client, url: str, target: httpx.URL, deadline: float) -> httpx.Response:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchError(url, "timed out")
    request = httpx.Request("GET", target, headers=REQUEST_HEADERS,
                            extensions={"timeout": httpx.Timeout(remaining).as_dict()})
    try:
        return http.send(request, stream=True, auth=None, follow_redirects=False)
    except httpx.HTTPError as error:
        raise FetchError(url, network_reason(error)) from None


def network_reason(error: httpx.HTTPError) -> str:
    detail = str(error) or type(error).__name__
    if isinstance(error, httpx.TimeoutException):
        return "timed out"
    if isinstance(error, httpx.ConnectError):
        return f"cannot connect ({detail})"
    if isinstance(error, httpx.DecodingError):
        return f"cannot decode its Content-Encoding ({detail})"
    return f"{type(error).__name__} ({detail})"


def redirect_target(url: str, current: httpx.URL, response: httpx.Response) -> httpx.URL:
    location = response.headers.get("location", "")
    if not location:
        raise FetchError(url, f"HTTP {response.status_code} without a Location")
    try:
        target = current.join(location)
    except httpx.InvalidURL:
        raise FetchError(url, f"redirected to {unparsed_shown(location)}: not a valid URL") \
            from None
    reason = refusal(target)
    if reason is None and current.scheme == "https" and target.scheme == "http":
        reason = "from https to http (refused)"
    if reason:
        raise FetchError(url, f"redirected to {FetchError.shown(str(target))}: {reason}")
    return target


def read_capped(url: str, response: httpx.Response, deadline: float, max_bytes: int) -> bytes:
    """The body, read chunk by chunk and abandoned as soon as it passes ``max_bytes``."""
    too_large = f"larger than {max_bytes:,} bytes"
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(url, too_large)
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(url, too_large)
        if time.monotonic() > deadline:
            raise FetchError(url, "timed out")
        chunks.append(chunk)
    return b"".join(chunks)


def document(url: str, final_url: str, content_type: str, body: bytes,
             max_bytes: int) -> Fetched:
    media_type, _, parameters = content_type.partition(";")
    media_type = media_type.strip().lower()
    if not body.strip():
        raise FetchError(url, "an empty page")
    if is_html(media_type, body):
        html = decoded(url, body, declared_charset(parameters) or meta_charset(body))
        try:
            text = page_text(html)
        except html_to_markdown.ConversionError as error:
            raise FetchError(url, f"cannot convert its HTML ({error})") from None
        if not text:
            raise FetchError(url, "an HTML page with no text")
        data = text.encode("utf-8")
        if len(data) > max_bytes:
            raise FetchError(url, f"its text is larger than {max_bytes:,} bytes")
        return Fetched(url, final_url, data, "text/html", True)
    decoded(url, body, "utf-8")  # stored as is, read later as UTF-8
    return Fetched(url, final_url, body, media_type or "application/octet-stream", False)


def is_html(media_type: str, body: bytes) -> bool:
    if media_type in HTML_TYPES:
        return True
    first_tag = HTML_START.match(body.removeprefix(b"\xef\xbb\xbf"))
    return media_type in GENERIC_TYPES and first_tag is not None


def declared_charset(parameters: str) -> str | None:
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip(" \"'"):
            return value.strip(" \"'")
    return None


def meta_charset(body: bytes) -> str | None:
    """The charset a ``<meta>`` names in the first 1024 bytes (where HTML says to look)."""
    found = META_CHARSET.search(body[:1024])
    return found.group(1).decode("ascii") if found else None


def decoded(url: str, body: bytes, charset: str | None) -> str:
    if body.startswith(b"\xef\xbb\xbf"):
        charset = "utf-8-sig"  # a byte order mark outranks what the page says
    charset = charset or "utf-8"
    try:
        return body.decode(charset)
    except LookupError:
        raise FetchError(url, f"an unknown charset ({charset[:40]})") from None
    except UnicodeDecodeError:
        utf8 = charset.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig")
        raise FetchError(url, "not UTF-8 text" if utf8 else f"not {charset} text") from None


def page_text(html: str) -> str:
    """The text of an HTML page: tables as one line per row, lists indented; LF line ends,
    no trailing spaces, a final newline (empty when the page has no text)."""
    markdown = html_to_markdown.convert(html, CONVERSION).content or ""
    lines = markdown.replace("\r\n", "\n").replace("\r", "\n").translate(LINE_BREAKS).split("\n")
    text = "\n".join(line.rstrip() for line in lines).strip("\n")
    return f"{text}\n" if text else ""
