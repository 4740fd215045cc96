// npm's page, `npm repo`, `npm bugs` and changelog tools read repository, homepage and bugs: every package.json of
// the workspace names the one repository (the root's), its own folder, and the links derived from them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const readJson = (dir: string) => JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
const folders = ['', 'examples', ...readdirSync(join(root, 'packages')).map((p) => `packages/${p}`)].filter((d) =>
  existsSync(join(root, d, 'package.json')),
);

describe('package metadata', () => {
  const url = readJson('').repository?.url as string;
  const web = url.replace(/^git\+/, '').replace(/\.git$/, '');

  it('the root names the repository as a git+https GitHub URL', () => {
    expect(url).toMatch(/^git\+https:\/\/github\.com\/[\w.-]+\/[\w.-]+\.git$/);
  });

  it.each(folders.map((d) => [d || '(root)', d]))('%s: repository with its directory, homepage, bugs', (_, dir) => {
    const manifest = readJson(dir);
    const readme = existsSync(join(root, dir, 'README.md')) ? '#readme' : '';
    expect({ repository: manifest.repository, homepage: manifest.homepage, bugs: manifest.bugs }).toEqual({
      repository: { type: 'git', url, ...(dir ? { directory: dir } : {}) },
      homepage: dir ? `${web}/tree/main/${dir}${readme}` : `${web}#readme`,
      bugs: { url: `${web}/issues` },
    });
  });

  it("the docs' absolute links to this repository use the same URL", () => {
    const docs = [
      'README.md',
      ...readdirSync(join(root, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => `docs/${f}`),
      ...folders.filter((d) => d && existsSync(join(root, d, 'README.md'))).map((d) => `${d}/README.md`),
    ];
    const owner = new URL(web).pathname.split('/')[1]!;
    for (const file of docs) {
      const links = readFileSync(join(root, file), 'utf8').match(/https:\/\/github\.com\/[\w.-]+\/[\w.-]+/g) ?? [];
      for (const link of links.filter((l) => l.includes(owner) || l.endsWith('/loki-sdk')))
        expect([file, link]).toEqual([file, web]);
    }
  });
});
