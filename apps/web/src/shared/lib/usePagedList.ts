import { useInfiniteQuery } from '@tanstack/react-query';

type Page<T> = { items: T[]; nextCursor: string | null };

/** A cursor-paged list ({items, nextCursor}) loaded page by page with "Load more". */
export function usePagedList<T>(key: unknown[], load: (cursor: string | undefined) => Promise<Page<T>>, enabled = true) {
  const query = useInfiniteQuery({
    queryKey: key,
    queryFn: ({ pageParam }) => load(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled,
  });
  const items = query.data?.pages.flatMap((page) => page.items) ?? [];
  return { ...query, items };
}
