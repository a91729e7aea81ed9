/**
 * GitHub repository addresses, pure: the owner and name in any of git's
 * spellings of a github.com URL, and the GitHub Pages address of a
 * repository (what `init` writes as site.url when the folder is a clone).
 */
export interface GithubRepo {
  owner: string;
  name: string;
}

/** "owner/name" of a github.com repository URL (https, ssh, git, scp-like `git@github.com:o/n.git`, npm's `git+https`); null otherwise. */
export function githubRepo(remote: string): GithubRepo | null {
  const text = remote.trim();
  // scp-like syntax has no scheme: user@host:path.
  const scp = /^[\w.-]+@([\w.-]+):(?!\/\/)(.*)$/.exec(text);
  let url: URL;
  try {
    url = new URL(scp ? `ssh://${scp[1]}/${scp[2]}` : text.replace(/^git\+/, ''));
  } catch {
    return null;
  }
  if (!['github.com', 'www.github.com'].includes(url.hostname.toLowerCase())) return null;
  const [owner, name, ...rest] = url.pathname.replace(/^\/+|\/+$/g, '').split('/');
  const repo = name?.replace(/\.git$/, '');
  if (!owner || !repo || rest.length > 0) return null;
  return { owner, name: repo };
}

/** https://<owner>.github.io/<name>/, or https://<owner>.github.io/ for the owner's own <owner>.github.io repository. */
export function pagesUrl(repo: GithubRepo): string {
  const host = `${repo.owner.toLowerCase()}.github.io`;
  return repo.name.toLowerCase() === host ? `https://${host}/` : `https://${host}/${repo.name}/`;
}
