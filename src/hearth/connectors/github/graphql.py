"""GitHub Discussions through the GraphQL API (REST has no listing of discussions).

Each discussion node is turned into the shape of the webhook's ``discussion`` object (and its
comments into the webhook's ``comment``) so that :mod:`~hearth.connectors.github.discussions`
builds the same activities, with the same source ids, as the ``discussion`` and
``discussion_comment`` webhooks. User ids are GraphQL's ``databaseId``, which is the REST
``user.id``.

Written against GitHub's documented GraphQL schema; the tests run it against responses built
from GitHub's webhook examples, not against recorded GraphQL answers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from hearth.connectors.github import discussions
from hearth.connectors.github.api import GitHubApiError, GitHubClient
from hearth.connectors.github.fields import GHOST, Json, optional_user
from hearth.domain.activity import ActivityIn
from hearth.errors import InputError, NotFound, RecordError
from hearth.i18n import _

PAGE_SIZE = 25
COMMENTS_PAGE = 50

_ACTOR = (
    "__typename login ... on User { databaseId } ... on Bot { databaseId } "
    "... on Organization { databaseId } ... on Mannequin { databaseId }"
)
_COMMENT = f"id databaseId url createdAt updatedAt author {{ {_ACTOR} }}"
_REPLIES = (
    f"replies(first: {COMMENTS_PAGE}) {{ pageInfo {{ hasNextPage endCursor }} "
    f"nodes {{ {_COMMENT} }} }}"
)
_COMMENTS_PAGE = f"pageInfo {{ hasNextPage endCursor }} nodes {{ {_COMMENT} {_REPLIES} }}"

DISCUSSIONS_QUERY = f"""
query($owner: String!, $name: String!, $after: String, $pageSize: Int!) {{
  repository(owner: $owner, name: $name) {{
    discussions(first: $pageSize, after: $after,
                orderBy: {{field: UPDATED_AT, direction: DESC}}) {{
      pageInfo {{ hasNextPage endCursor }}
      nodes {{
        id number title url createdAt updatedAt
        author {{ {_ACTOR} }}
        category {{ name isAnswerable }}
        labels(first: 20) {{ nodes {{ name }} }}
        answerChosenAt
        answerChosenBy {{ {_ACTOR} }}
        answer {{ {_COMMENT} }}
        comments(first: {COMMENTS_PAGE}) {{ {_COMMENTS_PAGE} }}
      }}
    }}
  }}
}}
"""

MORE_COMMENTS_QUERY = f"""
query($id: ID!, $after: String) {{
  node(id: $id) {{
    ... on Discussion {{ comments(first: {COMMENTS_PAGE}, after: $after) {{ {_COMMENTS_PAGE} }} }}
  }}
}}
"""

MORE_REPLIES_QUERY = f"""
query($id: ID!, $after: String) {{
  node(id: $id) {{
    ... on DiscussionComment {{
      replies(first: {COMMENTS_PAGE}, after: $after) {{
        pageInfo {{ hasNextPage endCursor }} nodes {{ {_COMMENT} }}
      }}
    }}
  }}
}}
"""


def rest_user(actor: Any) -> dict[str, Any] | None:
    """A GraphQL actor as a REST user object (None for a deleted account)."""
    if not isinstance(actor, Mapping) or not actor:
        return None
    return {
        "id": actor.get("databaseId"),
        "login": actor.get("login"),
        "type": actor.get("__typename"),
    }


def rest_discussion(node: Json) -> dict[str, Any]:
    """A GraphQL discussion as the webhook's ``discussion`` object."""
    category = node.get("category")
    category = category if isinstance(category, Mapping) else {}
    return {
        "number": node.get("number"),
        "title": node.get("title"),
        "html_url": node.get("url"),
        "created_at": node.get("createdAt"),
        "updated_at": node.get("updatedAt"),
        "user": rest_user(node.get("author")),
        "category": {"name": category.get("name"), "is_answerable": category.get("isAnswerable")},
        "labels": node.get("labels") or [],
        "answer_chosen_at": node.get("answerChosenAt"),
        "answer_chosen_by": rest_user(node.get("answerChosenBy")),
    }


def rest_comment(node: Json, parent_id: Any = None) -> dict[str, Any]:
    """A GraphQL discussion comment as the webhook's ``comment`` object."""
    return {
        "id": node.get("databaseId"),
        "html_url": node.get("url"),
        "created_at": node.get("createdAt"),
        "updated_at": node.get("updatedAt"),
        "user": rest_user(node.get("author")),
        "parent_id": parent_id,
    }


def discussion_records(
    client: GitHubClient, repo: str, node: Json, source: str
) -> list[ActivityIn | RecordError]:
    """The activities of one discussion node: started, every comment and reply, solved."""
    discussion = rest_discussion(node)
    element = _("discussion #{n}").format(n=discussion.get("number"))
    records: list[ActivityIn | RecordError] = []

    def add(build: Any, *args: Any, where: str = "") -> None:
        try:
            records.append(build(*args))
        except InputError as exc:
            records.append(RecordError(str(exc), source=source, element=f"{element}{where}"))

    add(discussions.discussion_started, repo, discussion, "")
    for comment, parent in _all_comments(client, node):
        rest = rest_comment(comment, parent)
        add(discussions.discussion_reply, repo, discussion, rest, "", "", where=f" {rest['id']}")
    answer = node.get("answer")
    if isinstance(answer, Mapping) and discussion.get("answer_chosen_at"):
        chooser = optional_user(discussion, "answer_chosen_by") or GHOST
        add(discussions.discussion_solved, repo, discussion, rest_comment(answer), chooser, "", "")
    return records


def _all_comments(client: GitHubClient, node: Json) -> Iterator[tuple[Json, Any]]:
    """Every comment of a discussion node and every reply, with the reply's parent id."""
    connection = node.get("comments")
    while isinstance(connection, Mapping):
        for comment in _nodes(connection):
            yield comment, None
            replies = comment.get("replies")
            while isinstance(replies, Mapping):
                for reply in _nodes(replies):
                    yield reply, comment.get("databaseId")
                after = _next(replies)
                if after is None:
                    break
                data = client.graphql(MORE_REPLIES_QUERY, {"id": comment.get("id"), "after": after})
                replies = _node(data).get("replies")
        after = _next(connection)
        if after is None:
            break
        data = client.graphql(MORE_COMMENTS_QUERY, {"id": node.get("id"), "after": after})
        connection = _node(data).get("comments")


def discussions_page(
    client: GitHubClient, repo: str, after: str | None
) -> tuple[list[Json], str | None]:
    """One page of the repository's discussions, most recently updated first, and the cursor
    of the next page (None on the last page)."""
    owner, name = repo.split("/", 1)
    data = client.graphql(
        DISCUSSIONS_QUERY, {"owner": owner, "name": name, "after": after, "pageSize": PAGE_SIZE}
    )
    repository = data.get("repository")
    if not isinstance(repository, Mapping):
        raise NotFound(_("GitHub's GraphQL API has no repository {repo}").format(repo=repo))
    connection = repository.get("discussions")
    if not isinstance(connection, Mapping):
        raise GitHubApiError(
            _("GitHub's GraphQL API answered without the discussions of {repo}").format(repo=repo)
        )
    return _nodes(connection), _next(connection)


def _nodes(connection: Json) -> list[Json]:
    nodes = connection.get("nodes")
    return [n for n in nodes if isinstance(n, Mapping)] if isinstance(nodes, list) else []


def _next(connection: Json) -> str | None:
    info = connection.get("pageInfo")
    if isinstance(info, Mapping) and info.get("hasNextPage") and info.get("endCursor"):
        return str(info["endCursor"])
    return None


def _node(data: Json) -> Json:
    node = data.get("node")
    return node if isinstance(node, Mapping) else {}
