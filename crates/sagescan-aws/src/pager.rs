//! Bounded pagination: every listing is read page by page to its end, or stopped with a
//! reason that becomes a coverage gap naming the listing.
//!
//! The SDK's paginators follow `NextToken` for as long as the service returns one. A service
//! (or an emulator, a proxy, a compromised endpoint) whose token never ends would keep a scan
//! paging forever while every page's items pile up in memory; the SDK stops only on a token
//! equal to the one just sent, and then silently, as if the listing had ended. Here a listing
//! stops, incomplete and said to be, on the first of:
//!
//! - a token seen before in the same listing: the pages are going round in a loop;
//! - a non-empty page equal to the one before it under a new token: the token changes but
//!   the listing does not advance (real pages hold distinct resources, so two equal pages in
//!   a row are never a listing's true content);
//! - more than [`MAX_PAGES`] pages.
//!
//! An incomplete listing is never used in part: the scope gets a gap and the caller nothing,
//! so the checks of that scope are inconclusive rather than judged on some of the resources.

use aws_smithy_async::future::pagination_stream::PaginationStream;
use std::collections::HashSet;

/// Pages read from one listing before it is declared endless.
///
/// At the page sizes the services use when none is asked for (100 to 1,000 for EC2, 10 to
/// 100 for SageMaker and the firewall services), 1,000 pages are 10,000 to 1,000,000
/// resources of one kind in one region: above the default quota of every kind collected
/// (VPCs, subnets, security groups, notebook instances, domains …, all in the hundreds or
/// low thousands), and above the training or processing jobs even a busy account creates in
/// the `--job-days` window. A real listing that long is rare enough that a gap is the right
/// answer; an endless one costs at most 1,000 calls (about 20 s against a fast endpoint)
/// before it is named, where 10,000 would hold a CI job for minutes.
pub const MAX_PAGES: usize = 1_000;

/// Why a listing stopped before its end.
#[derive(Debug)]
pub(crate) enum Stop<E> {
    /// A call failed.
    Failed(E),
    /// The pagination does not advance; `detail` says how it was seen.
    Loop { pages: usize, detail: &'static str },
    /// More than the allowed pages, still with a token.
    Limit { pages: usize },
}

impl<E> Stop<E> {
    /// The gap kind of a listing stopped for a reason of its own (not a failed call).
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Stop::Failed(_) => "api-error",
            Stop::Loop { .. } => "pagination-loop",
            Stop::Limit { .. } => "pagination-limit",
        }
    }

    /// A one-line account for the gap's message (a failed call is described by its caller).
    pub(crate) fn detail(&self) -> String {
        match self {
            Stop::Failed(_) => "the call failed".into(),
            Stop::Loop { pages, detail } => format!(
                "the pagination does not end: {detail} after {pages} pages; the listing is incomplete"
            ),
            Stop::Limit { pages } => format!(
                "the pagination does not end: still a NextToken after {pages} pages (the limit); the listing is incomplete"
            ),
        }
    }
}

/// Reads every page of `pages`, at most `max_pages`, and returns their items in order.
/// `next_token` and `items` read a page's token and items (`|p| p.next_token()`,
/// `|p| p.vpcs()`).
pub(crate) async fn read_all<P, I, E>(
    mut pages: PaginationStream<Result<P, E>>,
    max_pages: usize,
    next_token: impl Fn(&P) -> Option<&str>,
    items: impl Fn(&P) -> &[I],
) -> Result<Vec<I>, Stop<E>>
where
    I: Clone + PartialEq,
{
    let mut out: Vec<I> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    // Where the previous page's items start in `out`, to compare a page with the one before.
    let mut previous = 0..0;
    let mut count = 0;
    let mut last_token: Option<String> = None;
    while let Some(page) = pages.next().await {
        let page = page.map_err(Stop::Failed)?;
        count += 1;
        let token = next_token(&page).filter(|t| !t.is_empty());
        let these = items(&page);
        if !these.is_empty() && out[previous.clone()] == *these {
            return Err(Stop::Loop {
                pages: count,
                detail: "the same page came back under a new NextToken",
            });
        }
        if let Some(t) = token
            && !seen.insert(t.to_string())
        {
            return Err(Stop::Loop {
                pages: count,
                detail: "a NextToken came back",
            });
        }
        if token.is_some() && count >= max_pages {
            return Err(Stop::Limit { pages: count });
        }
        previous = out.len()..out.len() + these.len();
        out.extend_from_slice(these);
        last_token = token.map(str::to_string);
    }
    // The SDK ends a pagination silently when a page repeats the token just sent; the check
    // above sees that page first, but should the SDK stop for any other reason while a
    // token is pending, the listing is still incomplete.
    if last_token.is_some() {
        return Err(Stop::Loop {
            pages: count,
            detail: "the paginator stopped while a NextToken was pending",
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_async::future::pagination_stream::fn_stream::FnStream;

    /// A page of a fake listing: its items and the token to the next page.
    #[derive(Clone, Debug)]
    struct Page {
        items: Vec<u32>,
        token: Option<String>,
    }

    /// A paginator over pages made by `page(n)`, for n = 0, 1, …, until it returns `None`
    /// (or forever). It stops being asked once the reader drops it.
    fn source(
        page: impl Fn(u32) -> Option<Result<Page, String>> + Send + 'static,
    ) -> PaginationStream<Result<Page, String>> {
        PaginationStream::new(FnStream::new(move |tx| {
            Box::pin(async move {
                let mut n = 0;
                while let Some(p) = page(n) {
                    if tx.send(p).await.is_err() {
                        return;
                    }
                    n += 1;
                }
            })
        }))
    }

    async fn read(
        pages: PaginationStream<Result<Page, String>>,
        max: usize,
    ) -> Result<Vec<u32>, Stop<String>> {
        read_all(pages, max, |p| p.token.as_deref(), |p| p.items.as_slice()).await
    }

    fn page(items: &[u32], token: Option<&str>) -> Option<Result<Page, String>> {
        Some(Ok(Page {
            items: items.to_vec(),
            token: token.map(str::to_string),
        }))
    }

    #[tokio::test]
    async fn a_listing_is_read_to_its_end() {
        let pages = source(|n| match n {
            0 => page(&[1, 2], Some("a")),
            // An empty page in the middle, as EC2 sends with filters, is no loop.
            1 => page(&[], Some("b")),
            2 => page(&[], Some("c")),
            3 => page(&[3], Some("")),
            _ => None,
        });
        assert_eq!(read(pages, MAX_PAGES).await.unwrap(), vec![1, 2, 3]);
    }

    #[tokio::test]
    async fn a_token_that_comes_back_is_a_loop() {
        // a → b → a: the SDK, which only compares with the token just sent, pages forever.
        let pages = source(|n| {
            let token = if n % 2 == 0 { "a" } else { "b" };
            page(&[n], Some(token))
        });
        match read(pages, MAX_PAGES).await {
            Err(e @ Stop::Loop { pages: 3, .. }) => {
                assert_eq!(e.kind(), "pagination-loop");
                assert!(e.detail().contains("a NextToken came back after 3 pages"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn a_fresh_token_on_the_same_page_is_a_loop() {
        // The r20 endpoint: every page the same items, every token new.
        let pages = source(|n| page(&[7, 8], Some(&format!("loop-{n}"))));
        match read(pages, MAX_PAGES).await {
            Err(e @ Stop::Loop { pages: 2, .. }) => {
                assert!(e.detail().contains("the same page came back"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn an_endless_listing_stops_at_the_page_limit() {
        // New items and a new token on every page: no loop to see, only the count.
        let pages = source(|n| page(&[n], Some(&format!("t{n}"))));
        match read(pages, 50).await {
            Err(e @ Stop::Limit { pages: 50 }) => {
                assert_eq!(e.kind(), "pagination-limit");
                assert!(e.detail().contains("after 50 pages"));
            }
            other => panic!("{other:?}"),
        }
        // Endless empty pages too.
        let pages = source(|n| page(&[], Some(&format!("t{n}"))));
        assert!(matches!(
            read(pages, 50).await,
            Err(Stop::Limit { pages: 50 })
        ));
    }

    #[tokio::test]
    async fn the_last_allowed_page_may_end_the_listing() {
        let pages = source(|n| match n {
            0..49 => page(&[n], Some(&format!("t{n}"))),
            49 => page(&[49], None),
            _ => None,
        });
        assert_eq!(read(pages, 50).await.unwrap().len(), 50);
    }

    #[tokio::test]
    async fn a_stream_that_ends_with_a_token_pending_is_incomplete() {
        // What the SDK's stream looks like when it stops on a token equal to the one sent.
        let pages = source(|n| match n {
            0 => page(&[1], Some("x")),
            _ => None,
        });
        assert!(matches!(
            read(pages, MAX_PAGES).await,
            Err(Stop::Loop { pages: 1, .. })
        ));
    }

    #[tokio::test]
    async fn a_failed_page_fails_the_listing() {
        let pages = source(|n| match n {
            0 => page(&[1], Some("x")),
            _ => Some(Err("throttled".into())),
        });
        assert!(matches!(
            read(pages, MAX_PAGES).await,
            Err(Stop::Failed(e)) if e == "throttled"
        ));
    }
}
