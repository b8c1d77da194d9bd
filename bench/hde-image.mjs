// The data of `pnpm bench hde`: a real VM disk image pair and a memory-like page set.
//  - v1 is a minimal Debian bookworm root filesystem as an ext4 image; v2 is the same tree after a few
//    packages were installed, formatted to the same size so both images line up block for block. The pair is
//    what a disk migration after a small upgrade looks like, and it is built once and cached under
//    bench/.cache/hde/ (building needs root, debootstrap, e2fsprogs and Debian's archive).
//  - memoryLikePages() makes VM-memory-like 4 KiB pages and a copy in which some pages got small writes.
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  copyFileSync,
  createReadStream,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { delimiter, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const cacheDir = join(here, '.cache', 'hde')
const imagesDir = join(cacheDir, 'images')
const MiB = 2 ** 20
const PAGE_BYTES = 4096

// Bump when the recipe below changes, so that caches built by an older recipe are rebuilt.
const RECIPE_VERSION = 1
const SUITE = 'bookworm'
const VARIANT = 'minbase'
const PACKAGES_ADDED = ['curl', 'ca-certificates', 'python3-minimal']
// One UUID, directory hash seed and clock for both images: ext4's metadata checksums are seeded by the UUID,
// so random ones would make every inode and bitmap differ between v1 and v2, unlike a disk that was upgraded
// in place.
const FS_UUID = '6477637a-6864-4500-8000-000000000001'
const FS_TIME = '1700000000'

const debianEnv = {
  ...process.env,
  DEBIAN_FRONTEND: 'noninteractive',
  LC_ALL: 'C',
  PATH: `${process.env.PATH ?? ''}${delimiter}/usr/sbin${delimiter}/sbin`,
}

/**
 * Returns the cached v1/v2 ext4 images, building them first when the cache lacks them (a few minutes).
 * Needs root. `log` receives one line per build step.
 */
export async function ensureVmImages({ log = () => {} } = {}) {
  const cached = readManifest()
  if (cached) return resultOf(cached)
  if (process.getuid?.() !== 0) {
    throw new Error('pnpm bench hde needs root to build the VM images (debootstrap, chroot, mount)')
  }
  mkdirSync(cacheDir, { recursive: true })
  removeStaleBuilds(log)
  await ensureCommand('debootstrap', 'debootstrap', { log })
  await ensureCommand('mkfs.ext4', 'e2fsprogs', { log })

  const startedMs = performance.now()
  const buildDir = join(cacheDir, `build-${process.pid}`)
  const rootfs = join(buildDir, 'rootfs')
  const outDir = join(buildDir, 'images')
  mkdirSync(outDir, { recursive: true })
  try {
    const mirror = process.env.BENCH_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian'
    log(`debootstrap --variant=${VARIANT} ${SUITE} from ${mirror} (downloads about 40 MB)`)
    await run('debootstrap', [`--variant=${VARIANT}`, SUITE, rootfs, mirror])

    // debootstrap leaves the .deb files it installed; an image build cleans them (apt-get clean), and v2's
    // build does too, so neither image carries 40 MB of archives the other lacks.
    removeDebs(join(rootfs, 'var', 'cache', 'apt', 'archives'))
    const v1TreeBytes = treeBytes(rootfs)
    // Generous headroom: the installed packages, ext4's metadata and journal must fit in v2 as well.
    const sizeBytes = Math.ceil((v1TreeBytes * 1.5 + 128 * MiB) / MiB) * MiB
    log(`v1 tree ${(v1TreeBytes / MiB).toFixed(0)} MiB, images ${sizeBytes / MiB} MiB`)
    await makeExt4(rootfs, join(outDir, 'v1.img'), sizeBytes)

    log(`installing ${PACKAGES_ADDED.join(' ')} in a chroot`)
    await installPackages(rootfs, PACKAGES_ADDED, log)
    const v2TreeBytes = treeBytes(rootfs)
    if (v2TreeBytes > sizeBytes * 0.8) {
      throw new Error(`v2 tree (${v2TreeBytes} bytes) does not fit the ${sizeBytes}-byte image`)
    }
    await makeExt4(rootfs, join(outDir, 'v2.img'), sizeBytes)

    const manifest = {
      recipeVersion: RECIPE_VERSION,
      suite: SUITE,
      variant: VARIANT,
      mirror,
      packagesAdded: PACKAGES_ADDED.join(' '),
      sizeBytes,
      v1TreeBytes,
      v2TreeBytes,
      v1Sha256: await sha256File(join(outDir, 'v1.img')),
      v2Sha256: await sha256File(join(outDir, 'v2.img')),
      mkfs: `mkfs.ext4 -q -F -T default -U ${FS_UUID} -E hash_seed=${FS_UUID} -d <rootfs> <image> ${sizeBytes / MiB}M`,
      e2fsprogs: toolVersion('mke2fs', ['-V']),
      buildSeconds: Math.round((performance.now() - startedMs) / 1000),
      builtAt: new Date().toISOString(),
    }
    writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`)
    // The images only appear once complete: a run stopped halfway leaves a build-* folder, never a bad cache.
    rmSync(imagesDir, { recursive: true, force: true })
    renameSync(outDir, imagesDir)
    log(`images built in ${manifest.buildSeconds} s, cached in bench/.cache/hde/images`)
    return resultOf(manifest)
  } finally {
    removeTree(buildDir)
  }
}

/**
 * Makes `pages` deterministic memory-like 4 KiB pages (`before`): zero pages, pages of pointer-like
 * structured words and text-like pages; `after` is a copy in which `dirtyFraction` of the pages got a few
 * small 8-byte writes. `dirtyPages` lists those pages' indexes in ascending order. The same seed gives the
 * same bytes.
 */
export function memoryLikePages({ pages, dirtyFraction, seed }) {
  if (!Number.isInteger(pages) || pages < 1)
    throw new RangeError(`pages must be a positive integer: ${pages}`)
  if (!(dirtyFraction >= 0 && dirtyFraction <= 1)) {
    throw new RangeError(`dirtyFraction must be within [0, 1]: ${dirtyFraction}`)
  }
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer: ${seed}`)
  const random = mulberry32(seed)
  const before = Buffer.alloc(pages * PAGE_BYTES)
  for (let page = 0; page < pages; page++) {
    const view = before.subarray(page * PAGE_BYTES, (page + 1) * PAGE_BYTES)
    const kind = random()
    if (kind < 0.3) continue
    if (kind < 0.75) fillPointerPage(view, random)
    else fillTextPage(view, random)
  }

  const after = Buffer.from(before)
  const dirtyCount = Math.round(pages * dirtyFraction)
  // A partial Fisher-Yates shuffle picks distinct pages.
  const order = Array.from({ length: pages }, (_, i) => i)
  for (let i = 0; i < dirtyCount; i++) {
    const j = i + Math.floor(random() * (pages - i))
    ;[order[i], order[j]] = [order[j], order[i]]
  }
  const dirtyPages = order.slice(0, dirtyCount).sort((a, b) => a - b)
  for (const page of dirtyPages) {
    const writes = 1 + Math.floor(random() * 4)
    const offsets = new Set()
    while (offsets.size < writes) offsets.add(Math.floor(random() * (PAGE_BYTES / 8)) * 8)
    for (const offset of offsets) {
      const at = page * PAGE_BYTES + offset
      const old = after.readBigUInt64LE(at)
      let value = randomWord(random)
      // Every write changes its word, so every listed page really differs.
      if (value === old) value ^= 1n
      after.writeBigUInt64LE(value, at)
    }
  }
  return { before, after, dirtyPages }
}

/**
 * Resolves when `command` is on the PATH, installing Debian package `pkg` with apt-get first when it is
 * missing (needs root).
 */
export async function ensureCommand(command, pkg, { log = () => {} } = {}) {
  if (findCommand(command)) return
  if (process.getuid?.() !== 0) throw new Error(`${command} is missing: install the Debian package ${pkg}`)
  log(`installing ${pkg} with apt-get`)
  await run('apt-get', ['update', '-q'])
  await run('apt-get', ['install', '-y', '-q', '--no-install-recommends', pkg])
  if (!findCommand(command)) throw new Error(`${command} is still missing after installing ${pkg}`)
}

/** Runs a command to completion; rejects with the tail of its output when it fails. */
export function run(command, args, options = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { env: debianEnv, stdio: ['ignore', 'pipe', 'pipe'], ...options })
    let tail = ''
    const keep = (chunk) => {
      // Only the end of the output is kept: enough to explain a failure, bounded whatever the tool prints.
      tail = (tail + chunk.toString()).slice(-4000)
    }
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      if (code === 0) resolvePromise()
      else reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? code}):\n${tail.trim()}`))
    })
  })
}

/** Streams a file through sha256 and returns the hex digest. */
export async function sha256File(path) {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk)
  return hash.digest('hex')
}

function resultOf(manifest) {
  return {
    v1Path: join(imagesDir, 'v1.img'),
    v2Path: join(imagesDir, 'v2.img'),
    sizeBytes: manifest.sizeBytes,
    packagesAdded: manifest.packagesAdded.split(' '),
  }
}

function readManifest() {
  const path = join(imagesDir, 'manifest.json')
  if (!existsSync(path)) return undefined
  try {
    const manifest = JSON.parse(readFileSync(path, 'utf8'))
    if (manifest.recipeVersion !== RECIPE_VERSION) return undefined
    if (manifest.packagesAdded !== PACKAGES_ADDED.join(' ')) return undefined
    for (const name of ['v1.img', 'v2.img']) {
      const image = join(imagesDir, name)
      if (!existsSync(image) || statSync(image).size !== manifest.sizeBytes) return undefined
    }
    return manifest
  } catch {
    return undefined
  }
}

async function makeExt4(rootfs, image, sizeBytes) {
  // -T default: below 512 MiB mke2fs would pick 1 KiB blocks, unlike the 4 KiB of a real VM disk.
  const args = ['-q', '-F', '-T', 'default', '-U', FS_UUID, '-E', `hash_seed=${FS_UUID}`]
  await run('mkfs.ext4', [...args, '-d', rootfs, image, `${sizeBytes / MiB}M`], {
    env: { ...debianEnv, E2FSPROGS_FAKE_TIME: FS_TIME },
  })
}

async function installPackages(rootfs, packages, log) {
  const resolvConf = join(rootfs, 'etc', 'resolv.conf')
  const resolvBackup = join(rootfs, 'etc', 'resolv.conf.bench-saved')
  const policy = join(rootfs, 'usr', 'sbin', 'policy-rc.d')
  const proc = join(rootfs, 'proc')
  // lstat: a resolv.conf that is a symlink (to a resolver's runtime file) is kept as the link it is.
  const hadResolv = lstatSync(resolvConf, { throwIfNoEntry: false }) !== undefined
  let procMounted = false
  try {
    if (hadResolv) renameSync(resolvConf, resolvBackup)
    if (existsSync('/etc/resolv.conf')) copyFileSync('/etc/resolv.conf', resolvConf)
    // No service may start inside the chroot.
    writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 })
    await run('mount', ['-t', 'proc', 'proc', proc])
    procMounted = true
    const inChroot = (...args) => run('chroot', [rootfs, ...args])
    const lists = join(rootfs, 'var', 'lib', 'apt', 'lists')
    const listsBefore = new Set(readdirSync(lists))
    await inChroot('apt-get', 'update', '-q')
    log('apt-get install in the chroot')
    await inChroot('apt-get', 'install', '-y', '-q', '--no-install-recommends', ...packages)
    // What an image build leaves: the installed files, not the downloaded archives and package lists.
    await inChroot('apt-get', 'clean')
    for (const name of readdirSync(lists)) {
      if (!listsBefore.has(name)) rmSync(join(lists, name), { recursive: true, force: true })
    }
  } finally {
    if (procMounted) await run('umount', [proc])
    rmSync(policy, { force: true })
    rmSync(resolvConf, { force: true })
    if (hadResolv) renameSync(resolvBackup, resolvConf)
  }
}

function removeDebs(dir) {
  for (const name of readdirSync(dir)) if (name.endsWith('.deb')) rmSync(join(dir, name))
}

function treeBytes(dir) {
  // Disk usage in whole blocks, as ext4 will store it, not the apparent size of the files.
  const du = spawnSync('du', ['-s', '-B1', '-x', dir], { encoding: 'utf8' })
  if (du.status !== 0) throw new Error(`du ${dir} failed: ${du.stderr}`)
  return Number(du.stdout.split(/\s/)[0])
}

function mountsUnder(dir) {
  const prefix = `${resolve(dir)}/`
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter(Boolean)
    .map((field) =>
      field.replace(/\\([0-7]{3})/g, (_, octal) => String.fromCharCode(Number.parseInt(octal, 8))),
    )
    .filter((mountPoint) => `${mountPoint}/`.startsWith(prefix))
}

// Deleting a tree that still has a mount inside it would delete through the mount: unmount first, refuse if
// that fails.
function removeTree(dir) {
  if (!existsSync(dir)) return
  for (const mountPoint of mountsUnder(dir).sort((a, b) => b.length - a.length)) {
    spawnSync('umount', ['-l', mountPoint])
  }
  const left = mountsUnder(dir)
  if (left.length > 0) throw new Error(`not removing ${dir}: still mounted: ${left.join(', ')}`)
  rmSync(dir, { recursive: true, force: true })
}

function removeStaleBuilds(log) {
  for (const name of readdirSync(cacheDir)) {
    const match = /^build-(\d+)$/.exec(name)
    if (!match || isAlive(Number(match[1]))) continue
    log(`removing a half-built cache from an interrupted run (${name})`)
    removeTree(join(cacheDir, name))
  }
}

function isAlive(pid) {
  if (pid === process.pid) return false
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

function findCommand(command) {
  return debianEnv.PATH.split(delimiter).some((dir) => dir && existsSync(join(dir, command)))
}

function toolVersion(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8', env: debianEnv })
  return `${result.stdout ?? ''}${result.stderr ?? ''}`.split('\n')[0].trim()
}

// mulberry32: a small, fast 32-bit PRNG, plenty for test data and reproducible from its seed.
function mulberry32(seed) {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
}

function randomWord(random) {
  return (BigInt(Math.floor(random() * 2 ** 32)) << 32n) | BigInt(Math.floor(random() * 2 ** 32))
}

// Kernel and heap pages are arrays of structs: pointers into a few regions, small counters, flags and
// padding, so the same high bytes repeat and many words are zero.
function fillPointerPage(view, random) {
  const regions = [0x0000_5555_5000_0000n, 0x0000_7f3a_c000_0000n, 0xffff_8880_0000_0000n]
  const base = regions[Math.floor(random() * regions.length)]
  const structWords = 4 + Math.floor(random() * 5)
  const flags = BigInt(Math.floor(random() * 256))
  let counter = BigInt(Math.floor(random() * 1000))
  for (let word = 0; word < PAGE_BYTES / 8; word++) {
    const field = word % structWords
    let value = 0n
    if (field === 0 || field === 2) value = base + (BigInt(Math.floor(random() * 2 ** 24)) << 4n)
    else if (field === 1) value = counter++
    else if (field === 3) value = flags
    view.writeBigUInt64LE(value, word * 8)
  }
}

const WORDS =
  'the of and to in is that for it as with was on be by this are from at or an have not which but all were can page memory disk block error value return null true false size name path file node user data'.split(
    ' ',
  )

// Text pages: words, separators and line breaks, sometimes ending in a zero tail like a partly used buffer.
function fillTextPage(view, random) {
  const used = random() < 0.3 ? Math.floor(random() * PAGE_BYTES) : PAGE_BYTES
  let at = 0
  while (at < used) {
    const word = WORDS[Math.floor(random() * WORDS.length)]
    const separator = random() < 0.1 ? '\n' : random() < 0.05 ? '\0' : ' '
    at += view.write(word + separator, at, Math.min(used - at, word.length + 1), 'latin1')
  }
}
