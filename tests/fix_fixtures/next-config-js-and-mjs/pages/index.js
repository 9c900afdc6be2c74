export default function Home() {
  return <h1>Docs</h1>;
}
